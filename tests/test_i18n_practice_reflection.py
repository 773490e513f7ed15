"""Practice and reflection speak the participant's language: pages, counts, feedback, and the
e-mails that are written now and read later (a reminder, a note waiting) are in the language
of the person they reach, whoever's request or worker writes them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from bridgework.accounts.models import Person
from bridgework.lib import apology as apology_rules
from bridgework.lib.habits import Cadence
from bridgework.practice import reminders, services
from bridgework.practice.models import Commitment
from bridgework.reflection import content
from bridgework.reflection.models import JournalEntry

from .conftest import Cast, client_for
from .test_reminders import DUE, STARTED, at

# On a stopped clock, like the reminder tests: nothing depends on the day the suite runs.
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture(autouse=True)
def _back_to_english() -> Any:
    """A signed-in request leaves its person's language active in the thread: the tests that
    run next in this worker read lazy texts, and must find the default again."""
    yield
    translation.deactivate()


def speaks(person: Person, language: str) -> Person:
    person.language = language
    person.save(update_fields=["language"])
    return person


def html(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


@pytest.mark.parametrize(
    ("language", "practice", "reflect", "map_heading"),
    [
        ("es", "<h1>Tu práctica</h1>", "<h1>Reflexionar</h1>", "Tu mapa de posición social"),
        ("fr", "<h1>Votre pratique</h1>", "<h1>Réfléchir</h1>", "Votre carte de position sociale"),
    ],
)
def test_the_practice_and_reflection_pages_are_in_the_persons_language(
    participant: Person, language: str, practice: str, reflect: str, map_heading: str
) -> None:
    client = client_for(speaks(participant, language))

    assert practice in html(client, "/practice/")
    assert reflect in html(client, "/reflect/")
    assert map_heading in html(client, "/reflect/map/")


def test_the_self_assessment_asks_its_questions_in_french(participant: Person) -> None:
    form = html(client_for(speaks(participant, "fr")), "/practice/assessment/")

    assert "<h1>Votre auto-évaluation</h1>" in form
    assert "Curiosité profonde" in form
    assert "Au cours du dernier mois, combien de fois avez-vous" in form
    assert "Pas ce mois-ci" in form and "La plupart des jours" in form
    assert "Quelle défense vous freine le plus en ce moment\u00a0?" in form


def test_a_participant_in_spanish_answers_a_prompt_commits_and_is_reminded_in_spanish(
    participant: Person,
) -> None:
    client = client_for(speaks(participant, "es"))

    with at(STARTED):
        prompt = html(client, "/reflect/journal/new?prompt=patience")
        assert "¿Quién tuvo paciencia contigo mientras aún aprendías?" in prompt
        answered = client.post(
            "/reflect/journal/new", {"prompt": "patience", "body": "Mi mentora, Ana."}, follow=True
        )
        assert "Guardado en tu diario. Solo tú puedes leerlo." in answered.content.decode()
        committed = client.post(
            "/practice/commit/", {"title": "Preguntar a Ana", "cadence": "weekly"}, follow=True
        )
        assert "Compromiso creado." in committed.content.decode()
    assert JournalEntry.objects.get(person=participant).gratitude_prompt == "patience"
    assert Commitment.objects.get(person=participant).cadence == Cadence.WEEKLY

    # The worker sends it, in no language of its own.
    with at(DUE), translation.override("en"):
        assert reminders.plan() == 1

    [message] = mail.outbox
    assert message.subject == "Es momento de contar cómo te fue"
    assert message.body.startswith("Hola, Pat Participant:")
    assert "Ha empezado una nueva semana" in message.body
    assert "Preguntar a Ana" not in message.body


def test_a_note_waiting_is_announced_in_the_recipients_language_not_the_senders(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    speaks(cast.facilitator, "fr")

    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("participant").post(
            "/reflect/notes/new",
            {"recipient": cast.facilitator.pk, "kind": "recognition", "text": "Merci pour lundi"},
        )
    assert response.status_code == 302

    [message] = mail.outbox
    assert message.subject == "Quelqu'un vous a envoyé une note sur Bridgework"
    assert "Pat Participant vous a envoyé une note de reconnaissance" in message.body
    assert "Merci pour lundi" not in message.body


def test_counts_take_the_right_plural_in_spanish(participant: Person) -> None:
    client = client_for(speaks(participant, "es"))
    for title in ("Uno", "Dos"):
        services.commit(
            person=participant, title=title, practice="deep-curiosity", courage=1, cadence="once"
        ).finish()
        if title == "Uno":
            assert "Has llevado 1 compromiso hasta el final. Ábrelo" in html(client, "/practice/")
    assert "Has llevado 2 compromisos hasta el final. Abre uno" in html(client, "/practice/")

    for body in ("té verde", "té negro"):
        JournalEntry.objects.create(person=participant, body=body)

    def found(query: str) -> str:
        return str(client.post("/reflect/journal/", {"q": query}).content.decode())

    assert "1 entrada con «<bdi>verde</bdi>»." in found("verde")
    assert "2 entradas con «<bdi>té</bdi>»." in found("té")
    assert "0 entradas con «<bdi>café</bdi>»." in found("café")


def test_feedback_on_an_apology_draft_is_given_in_the_readers_language(
    participant: Person,
) -> None:
    client = client_for(speaks(participant, "fr"))

    response = client.post(
        "/reflect/repair/new", {"action": "check", "acknowledge": "I'm sorry if you were hurt."}
    )

    feedback = response.content.decode()
    assert "Retours sur votre brouillon" in feedback
    assert "rend le tort incertain" in feedback  # the "sorry if" rule
    assert "Dites une chose concrète que vous ferez autrement." in feedback  # a missing part


def test_every_feedback_rule_has_its_words_marked_for_translation() -> None:
    """The rules (no Django) and the marked words beside them say the same in English."""
    with translation.override("en"):
        assert {rule.slug: rule.message for rule in apology_rules.RULES} == {
            slug: str(text) for slug, text in content.FEEDBACK.items()
        }
        assert {
            part: str(text) for part, text in content.MISSING_FEEDBACK.items()
        } == apology_rules.MISSING
