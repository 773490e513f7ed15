"""The community and its asks speak each person's language: pages, counts, notifications
written for someone else, and Bridgework's own guidelines. What people wrote is never
translated, and is marked so right-to-left text and the pseudo-locale checks leave it alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from bridgework.accounts.models import Person
from bridgework.community import services
from bridgework.community.models import DEFAULT_GUIDELINES, Space
from bridgework.notifications import digest
from bridgework.notifications.api import notify
from bridgework.notifications.models import DigestPreference, Notification

from .asks_support import make_spaces, write_ask
from .community_support import allies_space
from .conftest import Cast, Clock, Committed, client_for


def speaks(person: Person, language: str) -> Person:
    person.language = language
    person.save(update_fields=["language"])
    return person


def accept(space: Space, *people: Person) -> None:
    for person in people:
        services.accept_guidelines(space=space, person=person)


@pytest.mark.parametrize(
    ("language", "heading", "spaces"),
    [("es", "<h1>Comunidad</h1>", "Tus espacios"), ("fr", "<h1>Communauté</h1>", "Vos espaces")],
)
def test_the_community_page_is_in_the_persons_language(
    cast: Cast, language: str, heading: str, spaces: str
) -> None:
    allies_space(cast.facilitator, name="Allies")
    html = client_for(speaks(cast.participant, language)).get("/community/").content.decode()
    assert heading in html
    assert spaces in html
    # The space's name is someone's words: isolated, never translated.
    assert 'dir="auto">Allies</a>' in html


def test_the_community_page_stays_in_english_for_an_english_speaker(cast: Cast) -> None:
    allies_space(cast.facilitator)
    html = client_for(cast.participant).get("/community/").content.decode()
    assert "<h1>Community</h1>" in html and "Your spaces" in html


@pytest.mark.parametrize(
    ("language", "replies"),
    [
        ("es", ["0 respuestas", "1 respuesta", "2 respuestas"]),
        # French counts zero as singular.
        ("fr", ["0 réponse", "1 réponse", "2 réponses"]),
        ("en", ["0 replies", "1 reply", "2 replies"]),
    ],
)
def test_reply_counts_take_the_languages_plural(
    cast: Cast, language: str, replies: list[str]
) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant, cast.facilitator)
    thread = services.start_thread(space=space, author=cast.facilitator, title="T", body="B")
    client = client_for(speaks(cast.participant, language))
    for count, expected in enumerate(replies):
        if count:
            services.reply(thread=thread, author=cast.facilitator, body=f"Reply {count}")
        html = client.get(f"/community/{space.pk}/").content.decode()
        assert expected in html


@pytest.mark.parametrize(
    ("language", "last_post", "ago"),
    [
        ("en", "last post", "3 hours ago"),
        ("es", "último mensaje", "hace 3 horas"),
        ("fr", "dernier message", "il y a 3 heures"),
    ],
)
def test_a_threads_last_post_is_told_in_the_largest_whole_unit(
    cast: Cast, clock: Clock, language: str, last_post: str, ago: str
) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant, cast.facilitator)
    services.start_thread(space=space, author=cast.facilitator, title="T", body="B")
    clock.advance(timedelta(hours=3, minutes=20))
    client = client_for(speaks(cast.participant, language))
    page = client.get(f"/community/{space.pk}/").content.decode()
    assert f"{last_post} {ago}" in page
    assert f"{last_post} {ago}" in client.get("/community/").content.decode()


def test_a_notification_is_written_in_each_recipients_language(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    spanish = speaks(cast.participant, "es")
    french = speaks(cast.participant_and_member, "fr")
    accept(space, spanish, french, cast.facilitator)
    thread = services.start_thread(space=space, author=spanish, title="Subtítulos", body="B")
    services.set_follow(thread=thread, person=french, follow=True)
    services.set_follow(thread=thread, person=cast.facilitator, follow=True)
    with committed():
        services.reply(thread=thread, author=cast.facilitator, body="Hi")
    summaries = {n.person_id: n.summary for n in Notification.objects.filter(kind="reply")}
    name = cast.facilitator.chosen_name
    assert summaries[spanish.pk] == f"{name} respondió en “Subtítulos”"
    assert summaries[french.pk] == f"{name} a répondu dans «\u00a0Subtítulos\u00a0»"


def test_a_moderation_notice_reaches_the_author_in_their_language(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    author = speaks(cast.participant, "fr")
    accept(space, author)
    thread = services.start_thread(space=space, author=author, title="Mon fil", body="B")
    with committed():
        services.lock_thread(thread=thread, moderator=cast.facilitator, reason="Off topic")
    summary = Notification.objects.get(person=author, kind="moderation").summary
    assert summary == (
        "Un·e facilitateur·rice a verrouillé votre discussion «\u00a0Mon fil\u00a0»\u00a0: "
        "Off topic"
    )


def test_bridgeworks_guidelines_are_shown_in_the_readers_language(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    assert space.guidelines == DEFAULT_GUIDELINES  # stored once, in English
    spanish = client_for(speaks(cast.participant, "es"))
    html = spanish.get(f"/community/{space.pk}/guidelines").content.decode()
    assert "Comparte lo que has comprobado." in html
    assert "Share what you have checked." not in html
    french = client_for(speaks(cast.facilitator, "fr"))
    assert (
        "Partagez ce que vous avez vérifié."
        in french.get(f"/community/{space.pk}/guidelines").content.decode()
    )


def test_guidelines_a_facilitator_wrote_are_shown_as_written(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    space.guidelines = "Be kind. Sé amable."
    space.save()
    html = (
        client_for(speaks(cast.participant, "fr"))
        .get(f"/community/{space.pk}/guidelines")
        .content.decode()
    )
    assert "Be kind. Sé amable." in html


def test_saving_the_default_guidelines_unchanged_keeps_them_bridgeworks(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    speaks(cast.facilitator, "es")
    with translation.override("es"):
        spanish_default = translation.gettext(DEFAULT_GUIDELINES)
    services.update_space(
        space=space,
        editor=cast.facilitator,
        name=space.name,
        description="",
        guidelines=spanish_default.replace("\n", "\r\n"),
        facilitators=[cast.facilitator],
        is_archived=False,
    )
    space.refresh_from_db()
    assert space.guidelines == DEFAULT_GUIDELINES


@pytest.mark.parametrize(
    ("language", "heading", "votes"),
    [("es", "Resultados", "1 voto"), ("fr", "Résultats", "1 vote")],
)
def test_a_poll_page_counts_votes_in_the_persons_language(
    cast: Cast, language: str, heading: str, votes: str
) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.facilitator)
    poll = services.create_poll(
        space=space,
        created_by=cast.facilitator,
        question="¿Qué?",
        options=["A", "B"],
        is_anonymous=False,  # an anonymous poll does not count its first four votes
    )
    services.vote(poll=poll, person=cast.facilitator, options=list(poll.options.all()[:1]))
    html = (
        client_for(speaks(cast.participant, language))
        .get(f"/community/polls/{poll.pk}/")
        .content.decode()
    )
    assert heading in html and votes in html
    assert '<h1 dir="auto">¿Qué?</h1>' in html
    assert "<bdi>A</bdi>" in html  # the options are the asker's words


@pytest.mark.parametrize(
    ("language", "heading"), [("es", "<h1>Peticiones</h1>"), ("fr", "<h1>Demandes</h1>")]
)
def test_the_asks_page_is_in_the_persons_language(cast: Cast, language: str, heading: str) -> None:
    spaces = make_spaces(cast)
    write_ask(spaces.protected, cast.participant_and_member, title="Captions, please")
    person = speaks(cast.participant_and_member, language)
    html = client_for(person).get("/community/asks/").content.decode()
    assert heading in html
    assert "<bdi>Captions, please</bdi>" in html


def test_the_e_mail_digest_is_written_in_the_recipients_language(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    person = speaks(cast.participant, "fr")
    DigestPreference.objects.create(person=person, frequency="daily")
    with committed():
        notify(person=person, kind="reply", summary="zz-summary", url="/a", space_id=space.pk)
    assert digest.send_due() == 1
    body = mail.outbox[0].body
    assert f"Bonjour {person.chosen_name}," in body
    assert "Voici ce qui est nouveau pour vous dans la communauté Bridgework\N{NBSP}:" in body
    assert "zz-summary" not in body
    assert "Une réponse dans une discussion que vous suivez" in body
