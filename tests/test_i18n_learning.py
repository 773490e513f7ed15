"""Learning, tips and resources in the reader's language: a person who chose Spanish or
French reads the pages of learning, the tips library and the resources in it, counts
included (the plural forms of each language), and finds tips by the words of their
language; what is stored for someone else to read later is in that person's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridgework.accounts.models import Person
from bridgework.curriculum.models import Tip
from bridgework.notifications.models import Notification
from bridgework.resources import services as resource_services
from bridgework.resources.models import CRITERIA_KEYS, Resource

from .conftest import Committed, client_for, curriculum_sample
from .resources_support import make_resource

pytestmark = pytest.mark.django_db


def speaks(person: Person, language: str) -> Person:
    person.language = language
    person.save(update_fields=["language"])
    return person


def approved_tips(author: Person, count: int) -> None:
    assert author.organisation is not None
    Tip.objects.bulk_create(
        Tip(
            organisation=author.organisation,
            slug=f"tip-{n}",
            title=f"Tip number {n}",
            text="Ask the quietest person first.",
            practice="deep-curiosity",
            defense="paralysis",
            effort=5,
            courage=1,
            contexts=",meetings,",
        )
        for n in range(count)
    )


def page(person: Person, name: str, *args: object, **query: str) -> str:
    response = client_for(person).get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_learn_page_speaks_spanish_to_someone_who_chose_spanish(participant: Person) -> None:
    curriculum_sample(participant)

    html = page(speaks(participant, "es"), "learn")

    assert "<h1>Aprender</h1>" in html
    assert "Has terminado <strong>0 de 1</strong> lección." in html
    assert "Fuentes y créditos" in html


def test_a_lesson_speaks_french_and_the_content_is_marked_as_not_ours(
    participant: Person,
) -> None:
    module, lesson, _prompt, _tip = curriculum_sample(participant)

    html = page(speaks(participant, "fr"), "lesson", module.slug, lesson.slug)

    assert "Leçon 1 sur 1 · environ 5 minutes" in html
    assert "Marquer comme faite" in html
    assert '<h1 dir="auto" lang="en">A verb</h1>' in html


@pytest.mark.parametrize(
    ("language", "count", "heading"),
    [
        ("en", 0, "0 tips"),
        ("en", 1, "1 tip"),
        ("en", 2, "2 tips"),
        ("es", 0, "0 consejos"),
        ("es", 1, "1 consejo"),
        ("es", 2, "2 consejos"),
        ("fr", 0, "0 conseil"),
        ("fr", 1, "1 conseil"),
        ("fr", 2, "2 conseils"),
    ],
)
def test_the_tips_count_takes_each_languages_plural(
    participant: Person, language: str, count: int, heading: str
) -> None:
    approved_tips(participant, count)

    html = page(speaks(participant, language), "tips")

    assert f'aria-live="polite">{heading}</h2>' in html


def test_the_tips_library_filters_and_tags_are_in_french(participant: Person) -> None:
    approved_tips(participant, 1)

    html = page(speaks(participant, "fr"), "tips")

    assert "Conseils pour l'alliance au quotidien" in html
    assert "Toutes les pratiques" in html
    assert '<span class="tag">Curiosité profonde</span>' in html
    assert '<span class="tag">Aide face à\xa0: paralysie</span>' in html
    assert '<span class="tag">1 · Apprendre</span>' in html
    assert '<span class="tag">Réunions</span>' in html


def test_a_spanish_search_finds_tips_by_the_spanish_name_of_their_context(
    participant: Person,
) -> None:
    approved_tips(participant, 1)

    html = page(speaks(participant, "es"), "tips", q="reuniones")

    assert "1 consejo encontrado" in html
    assert "Tip number 0" in html


def test_the_resources_page_speaks_french(participant: Person, facilitator: Person) -> None:
    make_resource(facilitator, status=Resource.Status.VETTED)
    make_resource(facilitator, title="Another", status=Resource.Status.VETTED)

    html = page(speaks(participant, "fr"), "resources")

    assert "<h1>Ressources</h1>" in html
    assert "2 ressources validées" in html
    assert "Tous les types" in html


def test_the_review_notice_is_stored_in_the_suggesters_language_not_the_reviewers(
    participant: Person, facilitator: Person, committed: Committed
) -> None:
    resource = make_resource(speaks(participant, "es"))

    with committed():
        resource_services.review(
            resource=resource,
            reviewer=facilitator,
            decision="approve",
            checks=dict.fromkeys(CRITERIA_KEYS, True),
        )

    [notice] = Notification.objects.filter(person=participant)
    assert notice.summary == (
        "Una persona facilitadora revisó tu sugerencia «A good book»: ya está verificada."
    )


def test_slack_settings_speak_spanish_to_a_spanish_speaking_admin(program_admin: Person) -> None:
    html = page(speaks(program_admin, "es"), "slack_settings")

    assert "Slack no está conectado." in html
    assert "Conectar Slack" in html
