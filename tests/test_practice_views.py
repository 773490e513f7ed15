"""The practice pages: the self-assessment and growth chart, action plans, commitments and
check-ins, pause and resume, capacity, reminder settings, the one-click check-in page, and
levels. Everything here is private: nobody but its owner, admins included, ever reaches it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from bridgework.accounts.models import Organisation, Person
from bridgework.curriculum.models import Tip
from bridgework.curriculum.vocabulary import Defense, Practice
from bridgework.lib.habits import Cadence, Outcome, habit_state
from bridgework.practice import assessment, charts, reminders, services
from bridgework.practice.models import (
    ActionPlan,
    Assessment,
    Capacity,
    CheckIn,
    Commitment,
    Reminder,
)

from .conftest import CountQueries, client_for
from .page_support import without_per_request_values

# On a stopped clock: nothing here depends on the day the suite runs.
pytestmark = pytest.mark.usefixtures("clock")

TITLE = "Ask Dana how the reorg is landing for her"
NOTE = "I chickened out on Tuesday, did it on Thursday"
SMALL_STEP = "Notice who speaks first in the Monday standup"
CUE = "after my weekly 1:1 with Sam"
A_MONDAY = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}
OTHERS = ["program_admin", "facilitator", "participant_and_member", "stranger"]


def at(moment: datetime) -> AbstractContextManager[object]:
    """Freeze Django's clock (only ever in the past, so sign-in sessions stay valid)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def stored(table: str, column: str, pk: int) -> str:
    """A value as it sits in the table, read around the ORM."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def assert_encrypted(table: str, column: str, pk: int, *plaintexts: str) -> None:
    value = stored(table, column, pk)
    assert value.startswith("bw1:"), value
    for plaintext in plaintexts:
        assert plaintext not in value


def page(client: Client, url: str, status: int = 200, **kwargs: object) -> str:
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.status_code
    return response.content.decode()


def error_next_to(html: str, name: str) -> str:
    """The error shown right before the form control called `name`, or ''."""
    match = re.search(
        r'<div class="field__errors"[^>]*>((?:(?!</div>).)*)</div>\s*'
        rf'(?:<ul[^>]*>\s*<li>\s*)?<(?:input|select|textarea)[^>]*name="{re.escape(name)}"',
        html,
        re.S,
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def answers(value: Callable[[assessment.Item], int] = lambda item: 2) -> dict[str, int]:
    return {item.key: value(item) for item in assessment.ITEMS}


def assessment_form(
    value: Callable[[assessment.Item], int] = lambda item: 2, defense: str = Defense.PARALYSIS
) -> dict[str, str]:
    return {**{key: str(v) for key, v in answers(value).items()}, "defense": defense}


def new_commitment(person: Person, cadence: str = Cadence.WEEKLY, **extra: object) -> Commitment:
    return services.commit(
        person=person,
        title=TITLE,
        practice=Practice.DEEP_CURIOSITY,
        courage=1,
        cadence=cadence,
        **extra,  # type: ignore[arg-type]
    )


# --- The self-assessment -------------------------------------------------------------------


def test_an_assessment_needs_every_item_and_a_defense(participant: Person) -> None:
    client = client_for(participant)

    response = client.post("/practice/assessment/", {})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    for item in assessment.ITEMS:
        assert error_next_to(html, item.key) == "Choose how often, even roughly.", item.key
    assert error_next_to(html, "defense") == "Choose the one that feels most familiar today."
    assert not Assessment.objects.filter(person=participant).exists()


def test_only_the_missing_answers_are_marked(participant: Person) -> None:
    missing = assessment.ITEMS[4]
    data = assessment_form()
    del data[missing.key]

    response = client_for(participant).post("/practice/assessment/", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert error_next_to(html, missing.key) == "Choose how often, even roughly."
    assert [i.key for i in assessment.ITEMS if error_next_to(html, i.key)] == [missing.key]
    assert error_next_to(html, "defense") == ""
    # What was answered stays answered.
    kept = assessment.ITEMS[0]
    assert re.search(rf'<input[^>]*name="{kept.key}"[^>]*value="2"[^>]*checked', html)


def test_missing_answers_are_counted_linked_and_the_first_takes_the_focus(
    participant: Person,
) -> None:
    missing = [assessment.ITEMS[3], assessment.ITEMS[20]]
    data = assessment_form()
    for item in missing:
        del data[item.key]
    del data["defense"]

    html = client_for(participant).post("/practice/assessment/", data).content.decode()

    summary = re.search(r'<div class="form-errors error-summary" role="alert".*?</div>', html, re.S)
    assert summary is not None
    assert "3 questions still need an answer" in summary.group(0)
    links = re.findall(r'<a href="#(question-[^"]+)">([^<]+)</a>', summary.group(0))
    assert [target for target, _ in links] == [
        f"question-{missing[0].key}",
        f"question-{missing[1].key}",
        "question-defense",
    ]
    assert [text for _, text in links][:2] == [escape(item.text) for item in missing]
    for target, _ in links:
        assert f'id="{target}"' in html
    [focused] = re.findall(r"<input[^>]*autofocus[^>]*>", html)
    assert f'id="id_{missing[0].key}_0"' in focused


def test_one_missing_answer_is_named_as_one(participant: Person) -> None:
    data = assessment_form()
    del data["defense"]

    html = client_for(participant).post("/practice/assessment/", data).content.decode()

    assert "One question still needs an answer" in html
    [focused] = re.findall(r"<input[^>]*autofocus[^>]*>", html)
    assert 'name="defense"' in focused


def test_an_answer_off_the_scale_or_an_unknown_defense_is_refused(participant: Person) -> None:
    client = client_for(participant)
    first = assessment.ITEMS[0].key

    off_scale = client.post("/practice/assessment/", {**assessment_form(), first: "9"})
    no_such_defense = client.post("/practice/assessment/", assessment_form(defense="laziness"))

    assert off_scale.status_code == 400
    assert error_next_to(off_scale.content.decode(), first)
    assert no_such_defense.status_code == 400
    assert error_next_to(no_such_defense.content.decode(), "defense")
    assert not Assessment.objects.filter(person=participant).exists()


def test_an_assessment_is_saved_encrypted_and_read_back_by_its_owner(participant: Person) -> None:
    def score(item: assessment.Item) -> int:
        return assessment.ITEMS.index(item) % 5

    response = client_for(participant).post(
        "/practice/assessment/", assessment_form(score, Defense.PARALYSIS)
    )

    assert response.status_code == 302
    assert response["Location"] == "/practice/growth/"
    saved = Assessment.objects.get(person=participant)
    assert saved.answers == answers(score)
    assert saved.defense == Defense.PARALYSIS
    assert_encrypted("practice_assessment", "answers", saved.pk, *answers(score), "deep-curiosity")
    assert_encrypted("practice_assessment", "defense", saved.pk, "paralysis")


def test_the_first_assessment_is_the_baseline_and_the_next_ones_show_movement(
    participant: Person,
) -> None:
    client = client_for(participant)
    assert "<h1>Your self-assessment</h1>" in page(client, "/practice/assessment/")

    first = client.post("/practice/assessment/", assessment_form(), follow=True)
    assert "This is your starting point." in first.content.decode()
    assert str(assessment.RETAKE_NOTE) in first.content.decode()
    assert "<h1>Retake your self-assessment</h1>" in page(client, "/practice/assessment/")

    second = client.post("/practice/assessment/", assessment_form(lambda i: 3), follow=True)
    assert "See how your practice has moved." in second.content.decode()
    assert "starting point" not in second.content.decode()


# --- The growth chart ------------------------------------------------------------------------


def growth_table(html: str) -> tuple[list[str], dict[str, list[str]]]:
    head = re.search(r"<thead>(.*?)</thead>", html, re.S)
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert head and body, html
    columns = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head.group(1))
    rows = {
        name: re.findall(r'<td class="num"[^>]*>(.*?)</td>', cells)
        for name, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', body.group(1))
    }
    return columns, rows


def take_assessments(person: Person, count: int) -> list[Assessment]:
    """`count` assessments a month apart, oldest first, each answered a bit higher."""
    taken = []
    for n in range(count):

        def value(item: assessment.Item, n: int = n) -> int:
            return min(4, (n + assessment.ITEMS.index(item)) % 3 + n)

        row = services.take_assessment(
            person=person, answers=answers(value), defense=Defense.PARALYSIS
        )
        row.taken_at = timezone.now() - timedelta(days=30 * (count - n))
        row.save(update_fields=["taken_at"])
        taken.append(row)
    return taken


def test_the_growth_page_shows_an_accessible_chart_and_a_table_per_assessment(
    participant: Person,
) -> None:
    taken = take_assessments(participant, 3)

    html = page(client_for(participant), "/practice/growth/")

    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert re.search(r"<title[^>]*>[^<]+</title>", svg.group(0))
    assert svg.group(0).count("<polyline") == len(assessment.PRACTICES)
    columns, rows = growth_table(html)
    assert columns[1:] == [f"{a.taken_at:%-d %b %Y}" for a in taken]
    assert list(rows) == [info.name for info in assessment.PRACTICES]
    for info in assessment.PRACTICES:
        expected = [f"{assessment.practice_scores(a.answers)[info.slug]:.1f}" for a in taken]
        assert rows[str(info.name)] == expected
    assert "bias" not in without_per_request_values(html).lower()


def test_two_takes_on_the_same_day_are_told_apart(participant: Person) -> None:
    for moment, value in [
        (A_MONDAY, 2),
        (A_MONDAY + timedelta(hours=2), 3),
        (A_MONDAY + timedelta(days=7), 2),
    ]:
        with time_machine.travel(moment, tick=False):
            services.take_assessment(
                person=participant,
                answers=answers(lambda item, v=value: v),  # type: ignore[misc]
                defense=Defense.PARALYSIS,
            )

    html = page(client_for(participant), "/practice/growth/")

    columns, _ = growth_table(html)
    assert columns[1:] == ["6 Jan 2025, take 1", "6 Jan 2025, take 2", "13 Jan 2025"]
    axis = re.findall(r'<text class="chart__axis"[^>]*text-anchor="middle">([^<]+)</text>', html)
    assert axis == ["6 Jan 25 (1)", "6 Jan 25 (2)", "13 Jan 25"]


def test_lines_on_the_same_values_stay_apart_by_dash_and_marker(participant: Person) -> None:
    # Every practice rated the same, twice: all seven lines lie on top of each other.
    for _ in range(2):
        services.take_assessment(person=participant, answers=answers(), defense=Defense.PARALYSIS)

    svg = page(client_for(participant), "/practice/growth/").split("<svg", 1)[1]

    lines = re.findall(r'<polyline class="chart__line chart__line--(\d)"([^>]*)/>', svg)
    dashes = [re.search(r'stroke-dasharray="([^"]+)"', rest) for _, rest in lines]
    assert len(lines) == len(assessment.PRACTICES)
    assert len({dash.group(1) if dash else "solid" for dash in dashes}) == len(lines)
    # Each line's markers (two points and one beside its label) share one shape, and no two
    # lines share a shape.
    shapes = {}
    for number, _ in lines:
        markers = set(
            re.findall(rf'class="chart__line--{number} chart__dot chart__dot--([\w-]+)"', svg)
        )
        assert len(markers) == 1, number
        shapes[number] = markers.pop()
    assert len(set(shapes.values())) == len(lines)


def test_growth_series_follows_the_assessments_in_time(participant: Person) -> None:
    taken = take_assessments(participant, 2)

    series = charts.growth_series(taken)

    assert [point.taken_at for point in series] == [a.taken_at for a in taken]
    assert [point.scores for point in series] == [
        assessment.practice_scores(a.answers) for a in taken
    ]


def test_without_an_assessment_the_growth_page_invites_the_first(participant: Person) -> None:
    html = page(client_for(participant), "/practice/growth/")

    assert "<svg" not in html
    assert "<table" not in html
    assert 'href="/practice/assessment/"' in html


# --- Only the owner ----------------------------------------------------------------------------


@pytest.fixture
def private_practice(participant: Person) -> Commitment:
    """The participant's assessment, plan, commitment and a check-in with a note."""
    services.take_assessment(
        person=participant, answers=answers(lambda i: 1), defense=Defense.SELF_CONSCIOUSNESS
    )
    services.save_plan(
        person=participant, defense=Defense.SELF_CONSCIOUSNESS, small_step=SMALL_STEP
    )
    commitment = new_commitment(participant)
    services.check_in(commitment=commitment, outcome=Outcome.PARTLY, note=NOTE)
    return commitment


@pytest.mark.parametrize("position", OTHERS)
def test_nobody_else_sees_a_persons_assessments_plans_commitments_or_notes(
    position: str, private_practice: Commitment, request: pytest.FixtureRequest
) -> None:
    other: Person = request.getfixturevalue(position)
    client = client_for(other)

    for url in ["/practice/", "/practice/growth/", "/practice/plan/", "/practice/pick/"]:
        html = page(client, url)
        for secret in [TITLE, NOTE, SMALL_STEP, escape(TITLE), escape(SMALL_STEP)]:
            assert secret not in html, (url, secret)
    assert "No self-assessment yet" in page(client, "/practice/growth/")
    assert "No commitments yet" in page(client, "/practice/")


def test_the_owner_sees_their_own_practice(private_practice: Commitment) -> None:
    client = client_for(private_practice.person)

    assert escape(TITLE) in page(client, "/practice/")
    assert escape(SMALL_STEP) in page(client, "/practice/plan/")
    assert "<svg" in page(client, "/practice/growth/")


@pytest.mark.parametrize("action", ["check-in", "pause", "resume", "finish"])
@pytest.mark.parametrize("position", ["program_admin", "facilitator", "stranger"])
def test_someone_elses_commitment_is_not_found(
    position: str, action: str, private_practice: Commitment, request: pytest.FixtureRequest
) -> None:
    commitment = private_practice
    if action == "resume":
        commitment.pause()
    before = Commitment.objects.get(pk=commitment.pk)
    client = client_for(request.getfixturevalue(position))

    response = client.post(
        f"/practice/commitments/{commitment.pk}/{action}", {"outcome": "done", "note": "mine"}
    )

    assert response.status_code == 404
    after = Commitment.objects.get(pk=commitment.pk)
    assert (after.status, after.paused_on) == (before.status, before.paused_on)
    [check_in] = CheckIn.objects.filter(commitment=commitment)
    assert (check_in.outcome, check_in.note) == (Outcome.PARTLY, NOTE)


def test_an_unknown_commitment_action_is_not_found(participant: Person) -> None:
    commitment = new_commitment(participant)

    response = client_for(participant).post(f"/practice/commitments/{commitment.pk}/delete")

    assert response.status_code == 404
    assert Commitment.objects.filter(pk=commitment.pk, status=Commitment.Status.ACTIVE).exists()


# --- Action plans --------------------------------------------------------------------------


def test_an_action_plan_is_saved_encrypted_and_leads_to_picking_one_thing(
    participant: Person,
) -> None:
    client = client_for(participant)
    form = page(client, "/practice/plan/?defense=paralysis")
    assert "An action plan for when paralysis holds you back" in form
    for prompt in next(
        d for d in assessment.DEFENSES if d.slug == "paralysis"
    ).plan_prompts.values():
        assert escape(str(prompt)) in form

    response = client.post(
        "/practice/plan/",
        {
            "defense": "paralysis",
            "serves_me": "It keeps me from saying the wrong thing",
            "costs": "Dana carries it alone",
            "small_step": SMALL_STEP,
            "when": "Monday 9:30",
            "with_whom": "Sam from payroll",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/practice/pick/"
    plan = ActionPlan.objects.get(person=participant)
    assert (plan.defense, plan.small_step) == ("paralysis", SMALL_STEP)
    assert plan.with_whom == "Sam from payroll"
    assert_encrypted("practice_actionplan", "defense", plan.pk, "paralysis")
    assert_encrypted("practice_actionplan", "small_step", plan.pk, SMALL_STEP, "standup")
    assert_encrypted("practice_actionplan", "costs", plan.pk, "Dana carries it alone")
    assert_encrypted("practice_actionplan", "with_whom", plan.pk, "Sam from payroll")
    assert "You have an action plan for <strong>paralysis</strong>" in page(client, "/practice/")


def test_an_action_plan_needs_a_small_step(participant: Person) -> None:
    response = client_for(participant).post(
        "/practice/plan/", {"defense": "paralysis", "costs": "Dana carries it alone"}
    )

    assert response.status_code == 400
    assert error_next_to(response.content.decode(), "small_step") == (
        "Write down one small step — it can be tiny."
    )
    assert not ActionPlan.objects.filter(person=participant).exists()


# --- Committing ------------------------------------------------------------------------------


@pytest.fixture
def brave_tip(organisation: Organisation) -> Tip:
    return Tip.objects.create(
        organisation=organisation,
        slug="credit-by-name",
        title="Credit the idea by name",
        text="When Dana's idea comes back as someone else's, say it was Dana's.",
        practice=Practice.COURAGEOUS_RESPONSIBILITIES,
        defense=Defense.OTHER_CONSCIOUSNESS,
        effort=5,
        courage=2,
        contexts=",meetings,",
    )


def test_committing_to_a_tip_takes_its_practice_and_courage(
    brave_tip: Tip, participant: Person
) -> None:
    client = client_for(participant)
    form = page(client, f"/practice/commit/?tip={brave_tip.pk}")
    assert escape(brave_tip.text) in form
    assert re.search(
        rf'<textarea name="title"[^>]*>\s*{re.escape(escape(brave_tip.title))}</textarea>', form
    )

    response = client.post(
        "/practice/commit/", {"tip": brave_tip.pk, "title": TITLE, "cadence": "weekly"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/practice/"
    commitment = Commitment.objects.get(person=participant)
    assert commitment.tip == brave_tip
    assert (commitment.practice, commitment.courage) == (brave_tip.practice, brave_tip.courage)
    assert (commitment.cadence, commitment.status) == (Cadence.WEEKLY, Commitment.Status.ACTIVE)
    assert commitment.started_on == services.local_today(participant)
    assert_encrypted("practice_commitment", "title", commitment.pk, TITLE)


@pytest.mark.parametrize("whose", ["pending", "other_organisation"])
def test_a_tip_nobody_here_can_see_cannot_be_committed_to(
    whose: str, brave_tip: Tip, other_organisation: Organisation, participant: Person
) -> None:
    if whose == "pending":
        Tip.objects.filter(pk=brave_tip.pk).update(status=Tip.Status.PENDING)
    else:
        Tip.objects.filter(pk=brave_tip.pk).update(organisation=other_organisation)
    client = client_for(participant)

    assert client.get(f"/practice/commit/?tip={brave_tip.pk}").status_code == 404
    posted = client.post(
        "/practice/commit/", {"tip": brave_tip.pk, "title": "x", "cadence": "daily"}
    )
    assert posted.status_code == 404
    assert not Commitment.objects.filter(person=participant).exists()


@pytest.mark.parametrize("practice", ["made-up", "x" * 41, "Deep curiosity", "deep-curiosity "])
def test_an_own_commitment_takes_only_one_of_the_seven_practices(
    practice: str, participant: Person
) -> None:
    client = client_for(participant)

    response = client.post(
        "/practice/commit/", {"title": TITLE, "cadence": "weekly", "practice": practice}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in error_next_to(response.content.decode(), "practice")
    assert not Commitment.objects.filter(person=participant).exists()


def test_an_own_commitment_can_name_its_practice(participant: Person) -> None:
    client = client_for(participant)
    assert 'name="practice"' in page(client, "/practice/commit/")

    client.post(
        "/practice/commit/",
        {"title": TITLE, "cadence": "weekly", "practice": Practice.HONEST_INTROSPECTION},
    )
    client.post("/practice/commit/", {"title": TITLE, "cadence": "daily"})

    practices = set(
        Commitment.objects.filter(person=participant).values_list("practice", flat=True)
    )
    assert practices == {Practice.HONEST_INTROSPECTION, Practice.DEEP_CURIOSITY}


def test_the_commit_service_refuses_a_practice_that_does_not_exist(participant: Person) -> None:
    with pytest.raises(ValidationError):
        services.commit(
            person=participant, title=TITLE, practice="made-up", courage=1, cadence="weekly"
        )
    assert not Commitment.objects.exists()


def test_chosen_days_need_at_least_one_day(participant: Person) -> None:
    client = client_for(participant)

    refused = client.post("/practice/commit/", {"title": TITLE, "cadence": "weekdays"})
    accepted = client.post(
        "/practice/commit/", {"title": TITLE, "cadence": "weekdays", "weekdays": ["2", "0"]}
    )

    assert refused.status_code == 400
    assert error_next_to(refused.content.decode(), "weekdays") == "Choose at least one day."
    assert accepted.status_code == 302
    commitment = Commitment.objects.get(person=participant)
    assert commitment.weekday_set == {0, 2}


def test_days_and_cue_sit_under_their_own_choice_of_how_often(participant: Person) -> None:
    html = page(client_for(participant), "/practice/commit/")

    choices = re.findall(
        r'<li class="cadence__choice">(.*?)</li>\s*(?=<li class="cadence|</ul>\s*</fieldset>)',
        html,
        re.S,
    )
    by_value = {re.search(r'value="([^"]+)"', choice).group(1): choice for choice in choices}  # type: ignore[union-attr]
    assert set(by_value) == {"weekly", "daily", "weekdays", "cue", "once"}
    assert 'name="weekdays"' in by_value["weekdays"] and 'name="cue"' not in by_value["weekdays"]
    assert 'name="cue"' in by_value["cue"] and 'name="weekdays"' not in by_value["cue"]
    for value in ["weekly", "daily", "once"]:
        assert 'name="weekdays"' not in by_value[value] and 'name="cue"' not in by_value[value]


def test_days_or_a_cue_left_from_another_choice_are_not_kept(participant: Person) -> None:
    response = client_for(participant).post(
        "/practice/commit/",
        {"title": TITLE, "cadence": "weekly", "weekdays": ["1", "3"], "cue": CUE},
    )

    assert response.status_code == 302
    commitment = Commitment.objects.get(person=participant)
    assert (commitment.cadence, commitment.weekdays, commitment.cue) == ("weekly", "", None)


def test_a_cue_commitment_needs_the_cue(participant: Person) -> None:
    client = client_for(participant)

    refused = client.post("/practice/commit/", {"title": TITLE, "cadence": "cue", "cue": "  "})
    accepted = client.post("/practice/commit/", {"title": TITLE, "cadence": "cue", "cue": CUE})

    assert refused.status_code == 400
    assert error_next_to(refused.content.decode(), "cue").startswith("Say what the cue is")
    assert accepted.status_code == 302
    commitment = Commitment.objects.get(person=participant)
    assert commitment.cue == CUE
    assert_encrypted("practice_commitment", "cue", commitment.pk, CUE)
    assert escape(CUE) in page(client_for(participant), "/practice/")


def test_a_commitment_needs_a_title(participant: Person) -> None:
    response = client_for(participant).post("/practice/commit/", {"cadence": "weekly"})

    assert response.status_code == 400
    assert error_next_to(response.content.decode(), "title") == (
        "Say in a few words what you will do."
    )


def test_a_commitment_typed_over_two_lines_is_kept_as_one(participant: Person) -> None:
    client = client_for(participant)
    assert '<textarea name="title"' in page(client, "/practice/commit/")

    client.post(
        "/practice/commit/",
        {"title": "  Ask the quietest person\r\nfirst  in the retro ", "cadence": "weekly"},
    )

    assert Commitment.objects.get(person=participant).title == (
        "Ask the quietest person first in the retro"
    )


# --- Checking in -------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [Outcome.DONE, Outcome.PARTLY, Outcome.NOT_YET])
def test_a_check_in_is_saved_with_an_encrypted_private_note(
    outcome: Outcome, participant: Person
) -> None:
    commitment = new_commitment(participant)
    client = client_for(participant)

    response = client.post(
        f"/practice/commitments/{commitment.pk}/check-in", {"outcome": outcome, "note": NOTE}
    )

    assert response.status_code == 302
    [check_in] = CheckIn.objects.filter(commitment=commitment)
    assert (check_in.outcome, check_in.note) == (outcome, NOTE)
    assert check_in.period_start == commitment.period_on(services.local_today(participant))
    assert_encrypted("practice_checkin", "note", check_in.pk, NOTE, "Thursday")
    dashboard = page(client, "/practice/")
    assert f"You checked in: {check_in.get_outcome_display().lower()}" in dashboard


def test_changing_the_answer_keeps_the_note_which_the_form_shows_ready_to_edit(
    participant: Person,
) -> None:
    commitment = new_commitment(participant)
    client = client_for(participant)
    url = f"/practice/commitments/{commitment.pk}/check-in"
    client.post(url, {"outcome": "not_yet", "note": NOTE})

    # The check-in form carries the note, so answering again sends it back unchanged.
    dashboard = page(client, "/practice/")
    box = re.search(r'<textarea id="note-\d+" name="note"[^>]*>(.*?)</textarea>', dashboard, re.S)
    assert box is not None and box.group(1) == escape(NOTE)
    assert "Your private note" in dashboard
    client.post(url, {"outcome": "done", "note": NOTE})
    [check_in] = CheckIn.objects.filter(commitment=commitment)
    assert (check_in.outcome, check_in.note) == (Outcome.DONE, NOTE)

    # Emptying the box is how the note is taken away.
    client.post(url, {"outcome": "done", "note": ""})
    check_in.refresh_from_db()
    assert check_in.note is None
    assert "Add a private note" in page(client, "/practice/")


def test_a_check_in_without_an_answer_is_not_saved(participant: Person) -> None:
    commitment = new_commitment(participant)

    response = client_for(participant).post(
        f"/practice/commitments/{commitment.pk}/check-in", {"outcome": "maybe"}, follow=True
    )

    assert "Choose done, partly or not yet." in response.content.decode()
    assert not CheckIn.objects.filter(commitment=commitment).exists()


def test_a_check_in_with_htmx_returns_only_the_commitment_card(participant: Person) -> None:
    commitment = new_commitment(participant)

    response = client_for(participant).post(
        f"/practice/commitments/{commitment.pk}/check-in", {"outcome": "partly"}, headers=HTMX
    )

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith(f'<li class="card commitment" id="commitment-{commitment.pk}">')
    assert html.endswith("</li>")
    assert html.count('class="card commitment"') == 1
    assert "<html" not in html
    assert "<h1" not in html
    assert "You checked in: partly" in html
    assert 'role="status"' in html
    assert CheckIn.objects.get(commitment=commitment).outcome == Outcome.PARTLY


def test_a_check_in_with_a_note_too_long_with_htmx_keeps_the_note_beside_the_error(
    participant: Person,
) -> None:
    """Not the whole practice page inside the card: the card, the note as typed, the error."""
    commitment = new_commitment(participant)
    too_long = "Asked Sam first. " * 70

    response = client_for(participant).post(
        f"/practice/commitments/{commitment.pk}/check-in",
        {"outcome": "done", "note": too_long},
        headers=HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith(f'<li class="card commitment" id="commitment-{commitment.pk}">')
    assert html.endswith("</li>") and "<html" not in html
    assert "at most 1000 characters" in html
    assert 'aria-invalid="true"' in html and 'class="field__errors"' in html
    assert too_long.strip() in html
    assert "<details open>" in html
    assert not CheckIn.objects.filter(commitment=commitment).exists()


def test_a_check_in_with_a_note_too_long_without_javascript_keeps_the_note_with_a_400(
    participant: Person,
) -> None:
    commitment = new_commitment(participant)
    too_long = "Asked Sam first. " * 70

    response = client_for(participant).post(
        f"/practice/commitments/{commitment.pk}/check-in", {"outcome": "done", "note": too_long}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Your practice" in html
    assert "at most 1000 characters" in html and 'aria-invalid="true"' in html
    assert too_long.strip() in html
    assert not CheckIn.objects.filter(commitment=commitment).exists()


def test_a_check_in_on_a_commitment_paused_elsewhere_with_htmx_reloads_the_page(
    participant: Person,
) -> None:
    """Paused in another tab: the page loads again and says why, rather than a page inside
    the card."""
    commitment = new_commitment(participant)
    commitment.pause()
    client = client_for(participant)

    response = client.post(
        f"/practice/commitments/{commitment.pk}/check-in", {"outcome": "done"}, headers=HTMX
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/practice/"
    assert "paused or finished" in page(client, "/practice/")
    assert not CheckIn.objects.filter(commitment=commitment).exists()


def test_a_once_commitment_finishes_when_done(participant: Person) -> None:
    commitment = new_commitment(participant, cadence=Cadence.ONCE)
    client = client_for(participant)
    url = f"/practice/commitments/{commitment.pk}/check-in"

    client.post(url, {"outcome": "partly"})
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.ACTIVE

    client.post(url, {"outcome": "done"})
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.FINISHED
    current, finished = page(client, "/practice/").split('id="finished-heading"')
    assert escape(TITLE) not in current
    assert "You have seen 1 commitment through." in finished
    assert escape(TITLE) in finished


def test_finishing_a_commitment_keeps_its_check_ins(participant: Person) -> None:
    commitment = new_commitment(participant)
    services.check_in(commitment=commitment, outcome=Outcome.DONE, note=NOTE)

    response = client_for(participant).post(f"/practice/commitments/{commitment.pk}/finish")

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.FINISHED
    assert CheckIn.objects.get(commitment=commitment).note == NOTE


def test_finishing_asks_first_and_changes_nothing_until_confirmed(participant: Person) -> None:
    commitment = new_commitment(participant)
    client = client_for(participant)
    dashboard = page(client, "/practice/")
    assert f'href="/practice/commitments/{commitment.pk}/finish"' in dashboard

    html = page(client, f"/practice/commitments/{commitment.pk}/finish")

    assert f"Finish “<bdi>{escape(TITLE)}</bdi>”?" in html
    assert "Yes, finish it" in html and "Pause it instead" in html
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.ACTIVE


def test_a_finished_commitment_is_listed_under_finished_and_can_be_taken_up_again(
    participant: Person,
) -> None:
    with at(A_MONDAY):
        commitment = new_commitment(participant)
        services.check_in(commitment=commitment, outcome=Outcome.DONE, note=NOTE)
    client = client_for(participant)

    with at(A_MONDAY + timedelta(days=1)):
        response = client.post(f"/practice/commitments/{commitment.pk}/finish")
    assert response["Location"] == f"/practice/commitments/{commitment.pk}/"
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.FINISHED
    finished = page(client, "/practice/").split('id="finished-heading"')[1]
    assert (
        f'<a href="/practice/commitments/{commitment.pk}/"><bdi>{escape(TITLE)}</bdi></a>'
        in finished
    )
    assert "Take it up again" in page(client, f"/practice/commitments/{commitment.pk}/")

    # Three weeks later it comes back; the weeks it spent finished never count as missed.
    with at(A_MONDAY + timedelta(weeks=3)):
        response = client.post(f"/practice/commitments/{commitment.pk}/take-up-again")
        assert response.status_code == 302
        commitment.refresh_from_db()
        assert commitment.status == Commitment.Status.ACTIVE
        assert commitment.paused_dates == {(A_MONDAY + timedelta(weeks=n)).date() for n in (1, 2)}
        dashboard = page(client, "/practice/")
    assert 'id="finished-heading"' not in dashboard
    assert f'id="commitment-{commitment.pk}"' in dashboard


def test_a_commitments_history_shows_its_check_ins_and_private_notes_to_its_owner(
    participant: Person,
) -> None:
    with at(A_MONDAY):
        commitment = new_commitment(participant)
        services.check_in(commitment=commitment, outcome=Outcome.PARTLY, note=NOTE)
    with at(A_MONDAY + timedelta(weeks=1)):
        services.check_in(commitment=commitment, outcome=Outcome.DONE, note="")
    client = client_for(participant)
    assert f'href="/practice/commitments/{commitment.pk}/"' in page(client, "/practice/")

    html = page(client, f"/practice/commitments/{commitment.pk}/")

    assert escape(TITLE) in html
    history = html.split('id="history-heading"')[1]
    assert history.index("Week of 13 January 2025") < history.index("Week of 6 January 2025")
    assert escape(NOTE) in history
    assert "No note." in history


def test_a_commitment_without_check_ins_says_so(participant: Person) -> None:
    commitment = new_commitment(participant)

    html = page(client_for(participant), f"/practice/commitments/{commitment.pk}/")

    assert "No check-ins yet." in html


@pytest.mark.parametrize("position", OTHERS)
@pytest.mark.parametrize("suffix", ["", "finish"])
def test_nobody_else_learns_a_commitments_history_or_can_finish_it(
    position: str, suffix: str, private_practice: Commitment, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(position))
    url = f"/practice/commitments/{private_practice.pk}/{suffix}"

    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)
    private_practice.refresh_from_db()
    assert private_practice.status == Commitment.Status.ACTIVE


# --- Pause and resume ----------------------------------------------------------------------------


def habit_percent(commitment: Commitment) -> int:
    commitment.refresh_from_db()
    today = services.local_today(commitment.person)
    [progress] = services.progress_of([commitment], today)
    return progress.state.percent


def test_a_pause_stops_reminders_and_the_paused_weeks_never_count_against_you(
    participant: Person,
) -> None:
    client = client_for(participant)
    week = [A_MONDAY + timedelta(weeks=n) for n in range(6)]
    with at(week[0]):
        paused = new_commitment(participant)
        kept_going = new_commitment(participant)
        for commitment in (paused, kept_going):
            services.check_in(commitment=commitment, outcome=Outcome.DONE)
    with at(week[1]):
        assert client.post(f"/practice/commitments/{paused.pk}/pause").status_code == 302
        paused.refresh_from_db()
        assert paused.status == Commitment.Status.PAUSED
        assert "No reminders; nothing is lost." in page(client, "/practice/")
        # Paused: no check-in form, and a check-in sent anyway is not recorded.
        client.post(f"/practice/commitments/{paused.pk}/check-in", {"outcome": "not_yet"})
        assert CheckIn.objects.filter(commitment=paused).count() == 1
    mail.outbox.clear()
    for day in week[1:4]:
        due = day.replace(hour=23)
        with at(due):
            assert reminders.due_period(paused, due) is not None, "it would be due, unpaused"
            reminders.plan(due)
    reminded = {
        reminders.read_check_in_token(link)
        for message in mail.outbox
        for link in re.findall(r"/check-in/([^/\s]+)/", str(message.body))
    }
    assert {found[0] for found in reminded if found} == {kept_going.pk}, "only the unpaused one"
    assert not Reminder.objects.filter(commitment=paused).exists()

    with at(week[4]):
        assert client.post(f"/practice/commitments/{paused.pk}/resume").status_code == 302
        only_week_0 = habit_state([week[0].date()], {week[0].date(): Outcome.DONE}, current=None)
        assert habit_percent(paused) == only_week_0.percent
        assert habit_percent(kept_going) < habit_percent(paused), "kept_going missed 3 weeks"
        assert f"Habit strength {only_week_0.percent}%" in page(client, "/practice/")

        # Checking in in the week you come back counts straight away.
        client.post(f"/practice/commitments/{paused.pk}/check-in", {"outcome": "done"})
        weeks_0_and_4 = [week[0].date(), week[4].date()]
        both = habit_state(weeks_0_and_4, dict.fromkeys(weeks_0_and_4, Outcome.DONE), current=None)
        assert habit_percent(paused) == both.percent > only_week_0.percent


def test_pausing_twice_or_resuming_an_active_commitment_changes_nothing(
    participant: Person,
) -> None:
    commitment = new_commitment(participant)
    client = client_for(participant)

    client.post(f"/practice/commitments/{commitment.pk}/resume")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.paused_periods) == (Commitment.Status.ACTIVE, [])

    client.post(f"/practice/commitments/{commitment.pk}/pause")
    commitment.refresh_from_db()
    paused_on = commitment.paused_on
    client.post(f"/practice/commitments/{commitment.pk}/pause")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.paused_on) == (Commitment.Status.PAUSED, paused_on)


# --- Capacity and reminder settings -----------------------------------------------------------


def test_saying_how_full_the_tank_is(participant: Person) -> None:
    client = client_for(participant)

    response = client.post("/practice/capacity", {"capacity": Capacity.LOW})
    refused = client.post("/practice/capacity", {"capacity": "empty"})

    assert response.status_code == refused.status_code == 302
    assert response["Location"] == "/practice/"
    profile = services.profile_for(participant)
    assert profile.capacity == Capacity.LOW
    assert profile.capacity_updated_at is not None
    low_message = next(m for key, _, m in assessment.CAPACITY_LEVELS if key == Capacity.LOW)
    assert escape(str(low_message)) in page(client, "/practice/")


def test_reminder_settings_are_saved_and_point_to_the_time_zone_in_the_profile(
    participant: Person,
) -> None:
    client = client_for(participant)
    settings_page = page(client, "/practice/settings/")
    assert "Times are in <bdi>UTC</bdi>" in settings_page
    assert 'href="/profile/time-zone?next=/practice/settings/"' in settings_page

    response = client.post("/practice/settings/", {"reminder_hour": "7"})

    assert response.status_code == 302
    profile = services.profile_for(participant)
    assert (profile.reminders_on, profile.reminder_hour) == (False, 7)
    assert "Reminder settings</a> (off)" in page(client, "/practice/")


def test_the_time_zone_is_chosen_in_the_profile_and_leads_back(participant: Person) -> None:
    client = client_for(participant)
    assert 'value="Europe/Berlin"' in page(client, "/profile/time-zone?next=/practice/settings/")

    response = client.post(
        "/profile/time-zone", {"time_zone": "Europe/Berlin", "next": "/practice/settings/"}
    )

    assert response.status_code == 302 and response["Location"] == "/practice/settings/"
    participant.refresh_from_db()
    assert participant.time_zone == "Europe/Berlin"
    assert "Europe/Berlin" in page(client, "/profile/")
    assert "Times are in <bdi>Europe/Berlin</bdi>" in page(client, "/practice/settings/")


@pytest.mark.parametrize("elsewhere", ["https://example.org/", "//example.org/", "javascript:x"])
def test_choosing_a_time_zone_never_leads_off_the_site(elsewhere: str, participant: Person) -> None:
    response = client_for(participant).post(
        "/profile/time-zone", {"time_zone": "Asia/Tokyo", "next": elsewhere}
    )

    assert response.status_code == 302 and response["Location"] == "/profile/"


@pytest.mark.parametrize("value", ["Mars/Olympus", ""])
def test_an_unknown_time_zone_is_refused_next_to_the_field(value: str, participant: Person) -> None:
    response = client_for(participant).post("/profile/time-zone", {"time_zone": value})

    assert response.status_code == 400
    assert error_next_to(response.content.decode(), "time_zone")
    participant.refresh_from_db()
    assert participant.time_zone == ""


def test_reminder_settings_refuse_an_unknown_hour(participant: Person) -> None:
    data = {"reminders_on": "on", "reminder_hour": "3"}

    response = client_for(participant).post("/practice/settings/", data)

    assert response.status_code == 400
    assert error_next_to(response.content.decode(), "reminder_hour")
    assert services.profile_for(participant).reminder_hour == 9


# --- The one-click check-in page ------------------------------------------------------------------


@pytest.fixture
def link(participant: Person) -> tuple[Commitment, str]:
    commitment = new_commitment(participant)
    period = commitment.period_on(commitment.started_on)
    assert period is not None
    return commitment, f"/check-in/{reminders.check_in_token(commitment, period)}/"


def test_a_weekly_commitment_made_mid_week_checks_in_from_its_first_link(
    participant: Person,
) -> None:
    wednesday = A_MONDAY + timedelta(days=2)
    with at(wednesday):
        commitment = new_commitment(participant)
        period = commitment.period_on(commitment.started_on)
        # Its first week began on the Monday before it was made.
        assert (commitment.started_on, period) == (wednesday.date(), A_MONDAY.date())
        assert period is not None
        url = f"/check-in/{reminders.check_in_token(commitment, period)}/"
        response = Client().post(url, {"outcome": "done"})

    assert response.status_code == 200
    [check_in] = CheckIn.objects.filter(commitment=commitment)
    assert check_in.period_start == A_MONDAY.date()


def test_a_signed_link_checks_in_without_signing_in_and_shows_no_details(
    link: tuple[Commitment, str],
) -> None:
    commitment, url = link
    client = Client()

    html = page(client, url)
    assert escape(TITLE) not in html
    assert "Sign in to see its details" in html
    assert 'name="note"' not in html

    response = client.post(url, {"outcome": "done", "note": NOTE})

    assert response.status_code == 200
    assert "Thanks — checked in as “done”" in response.content.decode()
    assert escape(TITLE) not in response.content.decode()
    [check_in] = CheckIn.objects.filter(commitment=commitment)
    assert check_in.outcome == Outcome.DONE
    assert check_in.note is None, "a note needs the owner signed in"


def test_the_signed_in_owner_sees_the_commitment_and_can_add_a_note(
    link: tuple[Commitment, str], participant: Person
) -> None:
    commitment, url = link
    client = client_for(participant)

    assert escape(TITLE) in page(client, url)
    client.post(url, {"outcome": "partly", "note": NOTE})

    check_in = CheckIn.objects.get(commitment=commitment)
    assert (check_in.outcome, check_in.note) == (Outcome.PARTLY, NOTE)


@pytest.mark.parametrize("position", ["program_admin", "stranger"])
def test_someone_else_signed_in_never_sees_the_commitment(
    position: str, link: tuple[Commitment, str], request: pytest.FixtureRequest
) -> None:
    commitment, url = link
    client = client_for(request.getfixturevalue(position))

    assert escape(TITLE) not in page(client, url)
    client.post(url, {"outcome": "not_yet", "note": "admin was here"})
    assert CheckIn.objects.get(commitment=commitment).note is None


def expired_page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "This check-in link no longer works" in html
    return html


def test_a_tampered_link_shows_the_expired_page(link: tuple[Commitment, str]) -> None:
    commitment, url = link
    token = url.split("/")[2]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    period = commitment.period_on(commitment.started_on)
    assert period is not None
    # The same content, signed for another purpose, or edited without the key.
    other_purpose = signing.dumps({"c": commitment.pk, "p": period.isoformat()}, salt="other")
    _, _, timestamp_and_signature = token.partition(":")
    edited = signing.b64_encode(b'{"c":%d,"p":"2031-01-06"}' % commitment.pk).decode()

    for bad in [tampered, other_purpose, f"{edited}:{timestamp_and_signature}", "not-a-token"]:
        html = expired_page(Client(), f"/check-in/{bad}/")
        assert escape(TITLE) not in html
        response = Client().post(f"/check-in/{bad}/", {"outcome": "done"})
        assert response.status_code == 404
    assert not CheckIn.objects.filter(commitment=commitment).exists()


def test_a_link_older_than_eight_days_has_expired(link: tuple[Commitment, str]) -> None:
    commitment, url = link
    nine_days_later = time.time() + timedelta(days=reminders.CHECK_IN_LINK_DAYS + 1).total_seconds()
    seven_days_later = (
        time.time() + timedelta(days=reminders.CHECK_IN_LINK_DAYS - 1).total_seconds()
    )

    with mock.patch("django.core.signing.time", SimpleNamespace(time=lambda: seven_days_later)):
        page(Client(), url)
    with mock.patch("django.core.signing.time", SimpleNamespace(time=lambda: nine_days_later)):
        expired_page(Client(), url)
        assert Client().post(url, {"outcome": "done"}).status_code == 404
    assert not CheckIn.objects.filter(commitment=commitment).exists()


def test_a_link_to_a_finished_commitment_has_expired(
    link: tuple[Commitment, str], participant: Person
) -> None:
    commitment, url = link
    commitment.finish()

    expired_page(client_for(participant), url)


def test_a_link_never_changes_a_check_in_already_made_nor_its_note(
    link: tuple[Commitment, str], participant: Person
) -> None:
    commitment, url = link
    services.check_in(commitment=commitment, outcome=Outcome.DONE, note=NOTE)
    client = Client()

    for _ in range(3):
        response = client.post(url, {"outcome": "not_yet", "note": ""})
        assert response.status_code == 200

    check_in = CheckIn.objects.get(commitment=commitment)
    assert (check_in.outcome, check_in.note) == (Outcome.DONE, NOTE)
    html = response.content.decode()
    assert "This link has been used" in html and "to see or change the check-in" in html
    assert "done" not in html.split("<main", 1)[-1].lower(), "the answer is the owner's"
    assert escape(NOTE) not in html
    assert "<form" not in html.split("<main", 1)[-1], "no buttons to press again"


def test_a_link_checks_in_once_and_later_uses_say_only_that_it_was_used(
    link: tuple[Commitment, str],
) -> None:
    """Whoever holds a forwarded e-mail learns nothing of how the owner answered."""
    commitment, url = link
    client = Client()

    first = client.post(url, {"outcome": "partly"})
    again = client.post(url, {"outcome": "not_yet"})
    later = client.get(url)

    assert "Thanks — checked in as “partly”" in first.content.decode()
    for response in (again, later):
        assert response.status_code == 200
        html = response.content.decode()
        assert "This link has been used" in html and "partly" not in html
    assert CheckIn.objects.get(commitment=commitment).outcome == Outcome.PARTLY


def test_a_link_of_someone_deactivated_no_longer_works(
    link: tuple[Commitment, str], participant: Person
) -> None:
    commitment, url = link
    participant.is_active = False
    participant.save(update_fields=["is_active"])

    assert Client().get(url).status_code == 404
    assert Client().post(url, {"outcome": "done"}).status_code == 404
    assert not CheckIn.objects.filter(commitment=commitment).exists()


def test_the_signed_in_owner_can_change_a_check_in_through_the_link_keeping_the_note(
    link: tuple[Commitment, str], participant: Person
) -> None:
    commitment, url = link
    Client().post(url, {"outcome": "not_yet"})
    services.check_in(commitment=commitment, outcome=Outcome.NOT_YET, note=NOTE)
    client = client_for(participant)

    html = page(client, url)
    assert "Already checked in as “not yet”" in html
    assert escape(NOTE) in html, "the owner's own note, ready to keep or edit"
    client.post(url, {"outcome": "done"})

    check_in = CheckIn.objects.get(commitment=commitment)
    assert (check_in.outcome, check_in.note) == (Outcome.DONE, NOTE)


# --- Levels ----------------------------------------------------------------------------------


LEVEL = re.compile(r"Your level: <strong>(\d) of 4</strong>")


def level_shown(html: str) -> int | None:
    match = LEVEL.search(html)
    return int(match.group(1)) if match else None


def test_levels_show_on_the_dashboard_and_rise_with_done_check_ins(participant: Person) -> None:
    client = client_for(participant)
    assert level_shown(page(client, "/practice/")) == 1

    for n in range(3):
        commitment = new_commitment(participant)
        services.check_in(commitment=commitment, outcome=Outcome.PARTLY if n == 2 else Outcome.DONE)
    assert level_shown(page(client, "/practice/")) == 1, "partly is kind, but not kept"

    services.check_in(commitment=commitment, outcome=Outcome.DONE)
    assert level_shown(page(client, "/practice/")) == 2 == services.unlocked_level(participant)


@pytest.mark.parametrize("position", ["program_admin", "facilitator", "stranger"])
def test_a_persons_level_is_never_shown_to_anyone_else(
    position: str, participant: Person, request: pytest.FixtureRequest
) -> None:
    for _ in range(3):
        services.check_in(commitment=new_commitment(participant), outcome=Outcome.DONE)
    assert services.unlocked_level(participant) == 2
    client = client_for(request.getfixturevalue(position))

    assert level_shown(page(client, "/practice/")) == 1, "their own level, not the participant's"
    for url in ["/people/", f"/people/{participant.pk}/"]:
        response = client.get(url)
        assert (
            "level" not in without_per_request_values(response.content.decode()).lower()
            or response.status_code != 200
        )


# --- Query counts ----------------------------------------------------------------------------


def add_practice(person: Person, count: int) -> None:
    """`count` commitments, each checked in with a note, and `count` assessments."""
    for _ in range(count):
        services.check_in(commitment=new_commitment(person), outcome=Outcome.DONE, note=NOTE)
        services.take_assessment(person=person, answers=answers(), defense=Defense.PARALYSIS)


@pytest.fixture
def some_tips(organisation: Organisation) -> list[Tip]:
    return [
        Tip.objects.create(
            organisation=organisation,
            slug=f"light-{n}",
            title=f"Light {n}",
            text="Just notice.",
            practice=Practice.values[n % len(Practice.values)],
            defense=Defense.PARALYSIS,
            effort=2,
            courage=1 + n % 2,
            contexts=",everyday,",
        )
        for n in range(8)
    ]


PRACTICE_PAGE_QUERIES = {"/practice/": 8, "/practice/growth/": 3, "/practice/pick/": 8}


@pytest.mark.parametrize("url", PRACTICE_PAGE_QUERIES)
def test_practice_pages_do_the_same_number_of_queries_for_1_and_20_of_everything(
    url: str, participant: Person, some_tips: list[Tip], count_queries: CountQueries
) -> None:
    client = client_for(participant)
    add_practice(participant, 1)
    count_queries(client.get, url)  # the first visit may create the practice settings

    one = count_queries(client.get, url)
    add_practice(participant, 19)
    twenty = count_queries(client.get, url)

    assert one == twenty == PRACTICE_PAGE_QUERIES[url]


def test_a_commitments_history_does_the_same_number_of_queries_for_1_and_20_check_ins(
    participant: Person, count_queries: CountQueries
) -> None:
    client = client_for(participant)
    with at(A_MONDAY):
        commitment = new_commitment(participant, cadence=Cadence.DAILY)
    url = f"/practice/commitments/{commitment.pk}/"

    def check_in_on(day: int) -> None:
        with at(A_MONDAY + timedelta(days=day)):
            services.check_in(commitment=commitment, outcome=Outcome.DONE, note=NOTE)

    check_in_on(0)
    one = count_queries(client.get, url)
    for day in range(1, 20):
        check_in_on(day)
    twenty = count_queries(client.get, url)

    assert one == twenty == 4


def test_a_new_person_starts_with_friendly_defaults(participant: Person) -> None:
    html = page(client_for(participant), "/practice/")

    assert "No commitments yet" in html
    assert 'href="/practice/assessment/"' in html
    assert level_shown(html) == 1
    profile = services.profile_for(participant)
    assert (profile.capacity, profile.reminders_on) == (Capacity.SOME, True)
    # Times in the organisation's zone until they choose their own.
    assert participant.time_zone == ""
    assert participant.organisation is not None
    assert participant.usual_time_zone == participant.organisation.usual_time_zone
