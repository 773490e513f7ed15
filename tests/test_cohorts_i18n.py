"""Cohorts and insights in the reader's language: a French-speaking facilitator runs a session
in French (its run-of-show, handout and invite), each person's reminder and calendar feed
arrive in their own language, and counts read naturally in Spanish and French."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from bridgework.accounts.models import Organisation, Person
from bridgework.cohorts import reminders, services
from bridgework.cohorts.models import Cohort, RunItem, Session
from bridgework.insights import releases

from .cohorts_support import NEW_COHORT, add_members, courage_module, make_cohort
from .conftest import Cast, client_for
from .insights_support import APRIL, MARCH, active_people, at, cohort_of, export, page

pytestmark = pytest.mark.usefixtures("clock")


def speaks(person: Person, language: str) -> Person:
    person.language = language
    person.save(update_fields=["language"])
    return person


def first_session(cohort: Cohort) -> Session:
    return cohort.sessions.order_by("number").select_related("cohort", "module").first()  # type: ignore[return-value]


# --- a French-speaking facilitator runs a session ---------------------------------------------


@pytest.fixture
def french_cohort(cast: Cast, organisation: Organisation) -> Cohort:
    """A cohort a French-speaking facilitator started on the new-cohort page."""
    speaks(cast.facilitator, "fr")
    courage_module(organisation)
    response = cast.client("facilitator").post(reverse("cohort_new"), NEW_COHORT)
    assert response.status_code == 302, response.content.decode()
    return Cohort.objects.get(name=NEW_COHORT["name"])


def test_a_french_facilitator_plans_and_runs_the_session_in_french(
    cast: Cast, french_cohort: Cohort
) -> None:
    session = first_session(french_cohort)
    client = cast.client("facilitator")

    plan = unescape(client.get(reverse("cohort_run_of_show", args=[session.pk])).content.decode())
    assert "Déroulé de la séance 1" in plan
    assert "Tour d'ouverture" in plan, "the default run-of-show is written in French"

    running = client.get(reverse("cohort_facilitate", args=[session.pk])).content.decode()
    assert "Partie 1 sur" in running
    assert 'data-text-start="Lancer le minuteur"' in running


def test_the_handout_of_a_french_facilitator_is_in_french(
    cast: Cast, french_cohort: Cohort
) -> None:
    session = first_session(french_cohort)
    handout = cast.client("facilitator").get(reverse("cohort_handout", args=[session.pk]))
    text = unescape(handout.content.decode())
    assert "Support de séance" in text
    assert "Comment nous prenons soin les uns des autres" in text
    assert "Les histoires restent dans la pièce" in text, "the agreements themselves"
    assert "Mon petit pas avant notre prochaine rencontre" in text


def test_a_french_facilitators_invite_is_in_french(cast: Cast, french_cohort: Cohort) -> None:
    session = first_session(french_cohort)
    invite = cast.client("facilitator").get(reverse("cohort_invite", args=[session.pk]))
    text = invite.content.decode().replace("\r\n ", "")
    assert "Séance 1" in text
    assert "Détails et support de séance" in text


def test_the_calendar_feed_is_in_its_owners_language_without_signing_in(
    cast: Cast, organisation: Organisation
) -> None:
    speaks(cast.participant, "es")
    make_cohort(cast.facilitator, [cast.participant], start=timezone.localdate() + timedelta(7))
    token = services.create_feed(person=cast.participant)
    feed = client_for(None).get(reverse("cohort_feed", args=[token])).content.decode()
    feed = feed.replace("\r\n ", "")
    assert "Sesiones de Bridgework" in feed
    assert "Detalles y material de apoyo" in feed


@pytest.fixture
def english_planned_session(cast: Cast, organisation: Organisation) -> Session:
    """A session planned in English, its module's questions and exercise translated into
    French (all but the last question), with a French-speaking participant."""
    module = courage_module(organisation)
    for question in module.questions.all():
        if question.slug != "q3":
            question.translations = {"fr": {"text": f"Question {question.order} en français ?"}}
            question.save(update_fields=["translations"])
    exercise = module.exercises.get()
    exercise.translations = {"fr": {"title": "Quelle défense est la vôtre ?", "body": "1. Votez."}}
    exercise.save(update_fields=["translations"])
    speaks(cast.participant, "fr")
    cohort = make_cohort(
        cast.facilitator,
        [cast.participant],
        start=timezone.localdate() + timedelta(7),
        module=module,
    )
    return first_session(cohort)


def test_a_session_planned_in_english_reads_in_french_for_a_french_speaker(
    cast: Cast, english_planned_session: Session
) -> None:
    session = english_planned_session
    handout = unescape(
        cast.client("participant")
        .get(reverse("cohort_handout", args=[session.pk]))
        .content.decode()
    )
    assert "Les histoires restent dans la pièce" in handout, "the agreements, in French"
    assert "Stories stay in the room" not in handout
    assert '<li dir="auto" lang="fr">Question 1 en français ?</li>' in handout
    assert '<li dir="auto" lang="en">Question 3?</li>' in handout, (
        "an untranslated question falls back to English, marked as such"
    )
    page = unescape(
        cast.client("participant")
        .get(reverse("cohort_session", args=[session.pk]))
        .content.decode()
    )
    assert "Quelle défense est la vôtre ?" in page, "the exercise, in French"

    english = unescape(
        cast.client("facilitator")
        .get(reverse("cohort_handout", args=[session.pk]))
        .content.decode()
    )
    assert "Stories stay in the room" in english, "and in English for whoever reads English"
    assert "Question 1?" in english


def test_a_facilitators_own_words_are_what_everyone_reads(
    cast: Cast, english_planned_session: Session
) -> None:
    session = english_planned_session
    agreements = session.items.get(kind="agreements")
    client = cast.client("facilitator")
    edit = reverse("cohort_item_edit", args=[session.pk, agreements.pk])

    response = client.post(
        edit,
        {"title": agreements.title, "minutes": 8, "body": agreements.body.replace("\n", "\r\n")},
    )
    assert response.status_code == 302
    agreements.refresh_from_db()
    assert agreements.minutes == 8
    assert set(agreements.translations) == {"es", "fr"}, "new minutes keep every language"

    own = "- Phones face down.\n- Stories stay here."
    client.post(edit, {"title": "Our agreements", "minutes": 8, "body": own})
    agreements.refresh_from_db()
    assert (agreements.title, agreements.body) == ("Our agreements", own)
    assert (agreements.translations, agreements.default_text) == ({}, False)
    handout = unescape(
        cast.client("participant")
        .get(reverse("cohort_handout", args=[session.pk]))
        .content.decode()
    )
    assert "Phones face down." in handout
    assert '<div dir="auto">' in handout, "the facilitator's words claim no language"


def test_a_french_facilitator_rewording_a_french_step_keeps_it_for_everyone(
    cast: Cast, english_planned_session: Session
) -> None:
    speaks(cast.facilitator, "fr")
    session = english_planned_session
    question = session.items.filter(kind="question").first()
    assert question is not None
    edit = reverse("cohort_item_edit", args=[session.pk, question.pk])
    form = unescape(cast.client("facilitator").get(edit).content.decode())
    assert 'value="Question 1 en français ?"' in form, "edited from the text they read"

    cast.client("facilitator").post(
        edit, {"title": "Question 1, à notre façon ?", "minutes": 10, "body": ""}
    )
    question.refresh_from_db()
    assert question.title == "Question 1, à notre façon ?"
    assert question.translations == {}


def test_runs_of_show_planned_before_they_followed_their_language_are_brought_along(
    cast: Cast, english_planned_session: Session
) -> None:
    """As the migration found them: one copy of each part, in the planner's language (here
    French), and one part a facilitator had reworded."""
    from django.apps import apps

    upgrade = importlib.import_module(
        "bridgework.cohorts.migrations.0004_run_items_follow_their_language"
    )
    session = english_planned_session
    items = {item.kind: item for item in session.items.all()}
    agreements, question, exercise = items["agreements"], items["question"], items["exercise"]
    with translation.override("fr"):
        planned_in_french = {
            "agreements": (str(services.AGREEMENTS[0]), str(services.AGREEMENTS[1])),
            "question": ("Question 1 en français ?", ""),
        }
    RunItem.objects.filter(session=session).update(translations={}, default_text=False)
    for kind, (title, body) in planned_in_french.items():
        RunItem.objects.filter(pk=items[kind].pk).update(title=title, body=body)
    RunItem.objects.filter(pk=exercise.pk).update(title="Our own warm-up", body="Stand up.")

    upgrade.follow_their_language(apps, None)

    agreements.refresh_from_db()
    question.refresh_from_db()
    exercise.refresh_from_db()
    assert agreements.default_text and agreements.title == str(services.AGREEMENTS[0])
    assert set(agreements.translations) == {"es", "fr"}
    assert (question.title, question.default_text) == ("Question 1?", True)
    assert question.translations["fr"]["title"] == "Question 1 en français ?"
    assert (exercise.title, exercise.translations, exercise.default_text) == (
        "Our own warm-up",
        {},
        False,
    )
    english = unescape(
        cast.client("facilitator")
        .get(reverse("cohort_handout", args=[session.pk]))
        .content.decode()
    )
    assert "Stories stay in the room" in english and "Question 1?" in english


# --- pages in Spanish ---------------------------------------------------------------------------


def test_a_spanish_member_sees_the_session_page_in_spanish(cast: Cast) -> None:
    speaks(cast.participant, "es")
    cohort = make_cohort(cast.facilitator, [cast.participant], start=date(2030, 3, 12))
    session = first_session(cohort)
    text = cast.client("participant").get(reverse("cohort_session", args=[session.pk]))
    html = text.content.decode()
    assert "<h1><bdi>Sesión 1</bdi></h1>" in html
    assert "Tú y esta sesión" in html
    assert "Material de apoyo" in html


def test_the_pulse_questions_are_asked_in_spanish(cast: Cast) -> None:
    speaks(cast.participant, "es")
    cohort = make_cohort(cast.facilitator, [cast.participant], start=timezone.localdate())
    session = first_session(cohort)
    services.self_check_in(session=session, person=cast.participant, now=session.starts_at)
    client = cast.client("participant")
    with time_machine.travel(session.ends_at - timedelta(minutes=5), tick=False):
        html = client.get(reverse("cohort_pulse", args=[session.pk])).content.decode()
    assert "¿Cuánto te sirvió esta sesión?" in html
    assert "¿Algo más, en una línea? (opcional)" in html


# --- reminders in each recipient's language -----------------------------------------------------


def test_each_reminder_is_written_in_its_recipients_language(cast: Cast) -> None:
    speaks(cast.facilitator, "fr")
    speaks(cast.participant, "es")
    cohort = make_cohort(cast.facilitator, [cast.participant], start=date(2030, 3, 12))
    session = first_session(cohort)
    now = session.starts_at - timedelta(hours=2)

    assert reminders.deliver(session.pk, cast.participant.pk, now) is True
    assert reminders.deliver(session.pk, cast.facilitator.pk, now) is True

    by_address = {message.to[0]: message for message in mail.outbox}
    spanish = by_address[cast.participant.email]
    assert spanish.subject == "Próximamente: Courage circle"
    assert spanish.body.startswith(f"Hola, {cast.participant.chosen_name}:")
    assert "Sesión 1" in spanish.body
    french = by_address[cast.facilitator.email]
    assert french.subject == "Bientôt\u00a0: Courage circle"
    assert french.body.startswith(f"Bonjour {cast.facilitator.chosen_name},")
    assert "Séance 1" in french.body


# --- counts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", {0: "0 integrantes", 1: "1 integrante", 2: "2 integrantes"}),
        ("fr", {0: "0 membre", 1: "1 membre", 2: "2 membres"}),
        ("en", {0: "0 members", 1: "1 member", 2: "2 members"}),
    ],
)
def test_member_counts_agree_with_their_number(
    cast: Cast, organisation: Organisation, language: str, expected: dict[int, str]
) -> None:
    speaks(cast.facilitator, language)
    people = add_members(organisation, 3)
    for size, name in ((0, "Zero"), (1, "One"), (2, "Two")):
        make_cohort(cast.facilitator, people[:size], start=date(2030, 3, 12), name=name)
    html = cast.client("facilitator").get(reverse("cohorts")).content.decode()
    for text in expected.values():
        assert f'<p class="hint">{text} ·' in html


def test_minutes_left_in_a_plan_agree_with_their_number(cast: Cast) -> None:
    speaks(cast.facilitator, "es")
    cohort = make_cohort(cast.facilitator, start=date(2030, 3, 12))
    session = first_session(cohort)
    client = cast.client("facilitator")
    plan = reverse("cohort_run_of_show", args=[session.pk])
    used = sum(item.minutes for item in session.items.all())
    for spare, text in ((1, "Sobra 1 minuto."), (2, "Sobran 2 minutos.")):
        session.duration_minutes = used + spare
        session.save(update_fields=["duration_minutes"])
        assert text in client.get(plan).content.decode()


# --- insights -----------------------------------------------------------------------------------


def test_insights_and_their_csv_are_in_the_readers_language(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    speaks(cast.program_admin, "fr")
    with at(MARCH.replace(day=10)):
        people = active_people(organisation, 8)
        cohort_of(organisation, "Grand cercle", people)
    with at(APRIL.replace(day=2)):
        releases.release_closed_months(organisation=organisation)
        html = unescape(page(cast.program_admin, period="month"))
        rows = export(cast.program_admin, period="month")
    assert "<h1>Indicateurs</h1>" in html
    assert "Passage à l'acte" in html
    assert rows[0][0] == "Vue" and rows[1] == ["Période", "Le dernier mois clos"]
    assert ["Section", "Tableau", "Ligne", "Colonne", "Affiché", "Échelle du bruit (ET)"] in rows


def test_a_cohort_one_may_ask_to_join_says_when_it_starts_in_the_readers_language(
    cast: Cast, organisation: Organisation
) -> None:
    speaks(cast.participant, "fr")
    cohort = make_cohort(
        cast.facilitator, add_members(organisation, 2), start=date(2030, 3, 12), zone="UTC"
    )
    Cohort.objects.filter(pk=cohort.pk).update(open_to_join=True)
    html = cast.client("participant").get(reverse("cohorts")).content.decode()
    assert '<p class="hint">Commence le 12 mars 2030 · 2 membres</p>' in html
