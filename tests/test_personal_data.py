"""A person's data, app by app: every app says, through the accounts registry, what of a
person it puts in "Download my data" and how it lets an erased person go. A model that
holds a person's data and is in neither fails here, so a new one cannot be forgotten."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import DELETION, LogEntry
from django.db import models
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from bridgework.accounts import registry
from bridgework.accounts import services as account_services
from bridgework.accounts.encryption import EncryptedJSONField, EncryptedTextField
from bridgework.accounts.models import DataKey, Person
from bridgework.asks.models import Ask
from bridgework.chat.models import ChatDelivery, ChatLink, ReminderDestination
from bridgework.cohorts import services as cohort_services
from bridgework.cohorts.models import Attendance, CalendarFeed, FacilitatorNote
from bridgework.community.models import (
    Flag,
    ModerationAction,
    Poll,
    PollOption,
    Post,
    PostRevision,
    Reaction,
    Thread,
)
from bridgework.curriculum import services as curriculum_services
from bridgework.curriculum.models import Tip
from bridgework.insights.models import GrowthScore
from bridgework.insights.subjects import subject_key
from bridgework.practice import assessment
from bridgework.practice import services as practice_services
from bridgework.reflection import export
from bridgework.reflection import services as reflection_services
from bridgework.resources.models import Resource

from .asks_support import make_spaces, publish, respond, write_ask
from .cohorts_support import make_cohort
from .community_support import allies_space, raw_post
from .conftest import Cast, Clock, curriculum_sample
from .resources_support import make_resource

# Models that hold a person's data and are in no app's export or erasure, each with why.
ALLOWED: dict[str, str] = {
    "admin.LogEntry": (
        "Django admin's own record of what staff changed through /admin/: nothing the person"
        " wrote, and it goes with them (on_delete=CASCADE)."
    ),
}


def _person_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields through which a row points at a person: foreign keys, one-to-ones and
    many-to-manys kept in an automatic table (an explicit one is a model of its own)."""
    found: list[models.Field[Any, Any]] = []
    for field in model._meta.get_fields():
        if not isinstance(field, models.Field) or field.related_model is not Person:
            continue
        rel = field.remote_field
        if isinstance(rel, models.ManyToManyRel):
            if isinstance(rel.through, type) and rel.through._meta.auto_created:
                found.append(field)
        elif field.concrete:
            found.append(field)
    return found


def _holds_ciphertext(model: type[models.Model]) -> bool:
    return any(
        isinstance(field, (EncryptedTextField, EncryptedJSONField))
        for field in model._meta.concrete_fields
    )


def _covered() -> set[type[models.Model]]:
    covered: set[type[models.Model]] = set()
    for section in registry.export_sections():
        covered.update(section.covers)
    for erasure in registry.erasures():
        covered.update(erasure.covers)
    return covered


def test_every_model_holding_a_persons_data_is_exported_or_erased() -> None:
    holding = [
        model for model in apps.get_models() if _person_fields(model) or _holds_ciphertext(model)
    ]
    forgotten = [
        model._meta.label
        for model in holding
        if model not in _covered() and model._meta.label not in ALLOWED
    ]
    assert forgotten == [], "add these to their app's personal_data.py, or to ALLOWED with why"
    # The walk really finds what it looks for, and the allow-list holds no stale entries.
    labels = {model._meta.label for model in holding}
    assert {"community.Post", "cohorts.FacilitatorNote", "cohorts.Cohort"} <= labels
    assert set(ALLOWED) <= labels
    assert not set(ALLOWED) & {model._meta.label for model in _covered()}


def test_every_erased_model_lets_go_of_the_person_or_has_a_step_that_does() -> None:
    """A foreign key that protects a row, or does nothing, would stop an erasure or leave a
    dangling id; only an app with its own step may rely on something else."""
    kept = []
    for erasure in registry.erasures():
        for model in erasure.covers:
            for field in _person_fields(model):
                if field.many_to_many:
                    continue  # the automatic table's rows go with the person
                assert field.remote_field is not None
                on_delete = field.remote_field.on_delete
                if on_delete not in (models.CASCADE, models.SET_NULL) and erasure.step is None:
                    kept.append(f"{model._meta.label}.{field.name}")
    assert kept == []


def test_each_app_contributes_at_most_once_and_its_keys_do_not_clash(cast: Cast) -> None:
    apps_exporting = [section.app for section in registry.export_sections()]
    assert len(apps_exporting) == len(set(apps_exporting))
    assert {"accounts", "practice", "reflection", "community", "cohorts", "asks"} <= set(
        apps_exporting
    )
    data = export.everything_of(cast.participant)
    for key in ("about", "journal", "notes", "practice", "learning", "community", "cohorts"):
        assert key in data


# --- the export: everything the person wrote, and nobody else's words -------------------------


def _export_text(person: Person) -> str:
    return json.dumps(export.everything_of(person), default=str)


def _export_html(person: Person) -> str:
    data = export.everything_of(person)
    return render_to_string(
        "reflection/export.html", {"data": data, "templates": export.templates()}
    )


def test_my_threads_posts_and_replies_are_in_my_export_and_nobody_elses(cast: Cast) -> None:
    me, other = cast.participant, cast.participant_and_member
    space = allies_space(cast.facilitator)
    mine = raw_post(space, me, "My opening words", title="My thread title")
    theirs = raw_post(space, other, "Their opening words", title="Their thread title")
    Post.objects.create(space=space, thread=theirs.thread, author=me, body="My reply words")
    Post.objects.create(space=space, thread=mine.thread, author=other, body="Their reply words")
    PostRevision.objects.create(post=mine, body="My first wording", written_at=mine.created_at)

    data = export.everything_of(me)["community"]

    assert [t["title"] for t in data["threads_started"]] == ["My thread title"]
    bodies = [post["body"] for post in data["posts"]]
    assert bodies == ["My opening words", "My reply words"]
    assert data["posts"][0]["in_my_thread"] == "My thread title"
    assert data["posts"][0]["earlier_versions"][0]["body"] == "My first wording"
    # A reply in someone else's thread comes without their title.
    assert data["posts"][1]["in_my_thread"] is None
    for words in ("My thread title", "My opening words", "My reply words", "My first wording"):
        assert words in _export_html(me)
    for words in ("Their thread title", "Their opening words", "Their reply words"):
        assert words not in _export_text(me)
        assert words in _export_text(other)
    assert "My reply words" not in _export_text(other)


def test_a_facilitators_session_notes_are_in_their_export_only(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, [cast.participant], start=date(2026, 3, 2))
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    cohort_services.save_note(session=session, author=cast.facilitator, text="Quiet start; ask Bo")

    notes = export.everything_of(cast.facilitator)["cohorts"]["session_notes"]

    assert [(n["cohort"], n["session"], n["text"]) for n in notes] == [
        ("Courage circle", 1, "Quiet start; ask Bo")
    ]
    assert "Quiet start; ask Bo" in _export_html(cast.facilitator)
    member = export.everything_of(cast.participant)["cohorts"]
    assert member["session_notes"] == []
    assert [m["cohort"] for m in member["memberships"]] == ["Courage circle"]
    assert "Quiet start" not in _export_text(cast.participant)


def test_what_i_suggested_asked_flagged_and_polled_is_in_my_export(cast: Cast) -> None:
    me = cast.participant_and_member
    spaces = make_spaces(cast)
    write_ask(spaces.protected, me, title="Captions, please", body="Turn captions on, please.")
    write_ask(spaces.protected, cast.group_member, title="Someone else's ask")
    make_resource(me, title="A book I liked", why="It slowed me down.")
    curriculum_sample(me)  # with a tip the person suggested, waiting for review
    theirs = raw_post(spaces.allies, cast.participant, "Words to flag")
    Flag.objects.create(post=theirs, flagged_by=me, reason="My reason to flag")
    poll = Poll.objects.create(space=spaces.allies, question="My poll question?", created_by=me)
    PollOption.objects.create(poll=poll, label="Yes", position=1)
    PollOption.objects.create(poll=poll, label="Not yet", position=2)

    data = export.everything_of(me)

    assert [(a["title"], a["body"]) for a in data["asks"]["written"]] == [
        ("Captions, please", "Turn captions on, please.")
    ]
    assert [r["why_it_helped"] for r in data["resources_suggested"]] == ["It slowed me down."]
    assert data["learning"]["suggested_tips"] == [
        {"title": "Pending tip", "text": "Try it.", "status": "Waiting for review"}
    ]
    assert [f["reason"] for f in data["community"]["flags"]] == ["My reason to flag"]
    assert data["community"]["polls_asked"][0]["options"] == ["Yes", "Not yet"]
    html = _export_html(me)
    for words in ("Turn captions on", "It slowed me down.", "My reason to flag", "Not yet"):
        assert words in html
    # Not the post that was flagged, nor another member's ask.
    assert "Words to flag" not in _export_text(me)
    assert "Someone else's ask" not in _export_text(me)


def _write_one_of_everything(cast: Cast) -> list[str]:
    """One of every kind of thing a person writes (and the rows about them that the export
    lists), each with words of its own; the words, to look for in the export."""
    me, other = cast.participant_and_member, cast.participant
    module, lesson, prompt, _ = curriculum_sample(me)
    Tip.objects.filter(suggested_by=me).update(title="w-tip-title", text="w-tip-text")
    curriculum_services.set_lesson_done(person=me, lesson=lesson, done=True)
    curriculum_services.save_prompt_answer(person=me, prompt=prompt, answer="w-prompt-answer")
    curriculum_services.log_learning(
        person=me, module=module, kind="book", title="w-log-title", note="w-log-note", minutes=9
    )
    account_services.save_intention(person=me, intention="w-intention")

    practice_services.set_capacity(person=me, capacity="low")
    practice_services.take_assessment(person=me, answers=_answers(), defense="paralysis")
    practice_services.save_plan(
        person=me,
        defense="paralysis",
        serves_me="w-plan-serves-me",
        costs="w-plan-costs",
        small_step="w-plan-small-step",
        when="w-plan-when",
        with_whom="w-plan-with-whom",
    )
    commitment = practice_services.commit(
        person=me,
        title="w-commitment-title",
        practice="deep-curiosity",
        courage=1,
        cadence="weekly",
        cue="w-commitment-cue",
    )
    practice_services.check_in(commitment=commitment, outcome="partly", note="w-check-in-note")

    entry = reflection_services.write_entry(person=me, title="w-journal-title", body="w-first")
    reflection_services.edit_entry(entry=entry, title="w-journal-title", body="w-journal-body")
    reflection_services.save_map(
        person=me, data={"dimensions": {"age": {"overall": 2}}, "note": "w-map-note"}
    )
    role_model = reflection_services.save_role_model(
        person=me,
        name="w-role-model-name",
        why="w-role-model-why",
        big_actions="w-role-model-big",
        small_actions="w-role-model-small",
        my_actions="w-role-model-mine",
    )
    reflection_services.add_goal(person=me, role_model=role_model, text="w-growth-goal")
    reflection_services.save_apology(
        person=me,
        what_happened="w-apology-what-happened",
        acknowledge="w-apology-acknowledge",
        own_impact="w-apology-own-impact",
        do_differently="w-apology-do-differently",
        resume="w-apology-resume",
    )
    reflection_services.send_note(sender=me, recipient=other, kind="check_in", text="w-note-sent")
    reflection_services.send_note(
        sender=cast.facilitator, recipient=me, kind="check_in", text="w-note-received"
    )

    cohort = make_cohort(cast.facilitator, [me], start=date(2026, 3, 2))
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    Attendance.objects.create(session=session, person=me, status="present", source="self")
    FacilitatorNote.objects.create(session=session, author=me, text="w-session-note")

    spaces = make_spaces(cast)
    mine = raw_post(spaces.allies, me, "w-post-body", title="w-thread-title")
    PostRevision.objects.create(post=mine, body="w-post-earlier", written_at=mine.created_at)
    theirs = raw_post(spaces.allies, other, "Their words")
    Post.objects.create(space=spaces.allies, thread=theirs.thread, author=me, body="w-reply")
    Flag.objects.create(post=theirs, flagged_by=me, reason="w-flag-reason")
    poll = Poll.objects.create(space=spaces.allies, question="w-poll-question", created_by=me)
    PollOption.objects.create(poll=poll, label="w-poll-option", position=1)
    ModerationAction.objects.create(
        space=spaces.allies,
        actor=me,
        kind=ModerationAction.Kind.HIDE,
        post=theirs,
        subject=other,
        reason="w-moderation-reason",
    )
    make_resource(me, title="w-resource-title", why="w-resource-why")
    write_ask(spaces.protected, me, title="w-ask-title", body="w-ask-body")
    published = publish(
        write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies
    )
    respond(published, me, note="w-ask-response-note")

    ChatLink.objects.create(
        person=me,
        platform="slack",
        external_team_id="w-chat-workspace",
        external_user_id="w-chat-account",
        confirmed_at=timezone.now(),
    )
    ReminderDestination.objects.create(person=me, destination="slack")
    ChatDelivery.objects.create(
        person=me, platform="slack", kind="commitment", object_id=commitment.pk, problem="w-chat"
    )
    return [
        "w-tip-title",
        "w-tip-text",
        "w-prompt-answer",
        "w-log-title",
        "w-log-note",
        "w-intention",
        "w-plan-serves-me",
        "w-plan-costs",
        "w-plan-small-step",
        "w-plan-when",
        "w-plan-with-whom",
        "w-commitment-title",
        "w-commitment-cue",
        "w-check-in-note",
        "w-journal-title",
        "w-journal-body",
        "w-first",
        "w-map-note",
        "w-growth-goal",
        "w-role-model-name",
        "w-role-model-why",
        "w-role-model-big",
        "w-role-model-small",
        "w-role-model-mine",
        "w-apology-what-happened",
        "w-apology-acknowledge",
        "w-apology-own-impact",
        "w-apology-do-differently",
        "w-apology-resume",
        "w-note-sent",
        "w-note-received",
        "w-session-note",
        "w-post-body",
        "w-thread-title",
        "w-post-earlier",
        "w-reply",
        "w-flag-reason",
        "w-poll-question",
        "w-poll-option",
        "w-moderation-reason",
        "w-resource-title",
        "w-resource-why",
        "w-ask-title",
        "w-ask-body",
        "w-ask-response-note",
        "w-chat-workspace",
        "w-chat-account",
        "w-chat",
    ]


def test_everything_i_wrote_is_in_my_export(cast: Cast, clock: Clock) -> None:
    me = cast.participant_and_member
    words = _write_one_of_everything(cast)

    # One of every kind: each model an app exports has a row of mine here, so a model added
    # to an export without a line above fails until it has one.
    exported = {model for section in registry.export_sections() for model in section.covers}
    without_a_row = [
        model._meta.label
        for model in exported
        if model is not Person
        and not any(
            model._default_manager.filter(**{field.name: me}).exists()
            for field in _person_fields(model)
        )
    ]
    assert without_a_row == []
    text, html = _export_text(me), _export_html(me)
    assert [w for w in words if w not in text] == []
    assert [w for w in words if w not in html] == []
    # The words of other people it was written among are not mine to take.
    assert "Their words" not in text


def test_a_facilitators_moderation_reasons_are_theirs_and_not_the_authors(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    post = raw_post(space, cast.participant, "A hurtful line")
    ModerationAction.objects.create(
        space=space,
        actor=cast.facilitator,
        kind=ModerationAction.Kind.HIDE,
        post=post,
        subject=cast.participant,
        reason="Hidden: it hurt people",
    )
    reasons = export.everything_of(cast.facilitator)["community"]["moderation_reasons"]
    assert [r["reason"] for r in reasons] == ["Hidden: it hurt people"]
    assert "Hidden: it hurt people" not in _export_text(cast.participant)
    assert "A hurtful line" not in _export_text(cast.facilitator)


# --- erasure: each app lets go of the person ------------------------------------------------


def _rows_still_pointing_at(pk: int) -> list[str]:
    left = []
    for erasure in registry.erasures():
        for model in erasure.covers:
            for field in _person_fields(model):
                if model._default_manager.filter(**{field.name: pk}).exists():
                    left.append(f"{model._meta.label}.{field.name}")
    return left


def _answers() -> dict[str, int]:
    return {item.key: 3 for item in assessment.ITEMS}


def test_erasing_a_member_removes_or_anonymises_every_contributed_row(cast: Cast) -> None:
    me = cast.participant_and_member
    spaces = make_spaces(cast)
    post = raw_post(spaces.allies, me, "Words I posted", title="A thread I started")
    theirs = raw_post(spaces.allies, cast.facilitator, "Their words", title="Their thread")
    Reaction.objects.create(post=theirs, person=me, kind=Reaction.Kind.THANKS)
    write_ask(spaces.protected, me)
    make_resource(me)
    reflection_services.write_entry(person=me, body="Journal words")
    practice_services.take_assessment(person=me, answers=_answers(), defense="paralysis")
    assert GrowthScore.objects.filter(subject=subject_key(me.pk)).exists()
    pk = me.pk

    account_services.erase_person(person=me)

    assert _rows_still_pointing_at(pk) == []
    # What was written for others keeps its place, signed by nobody.
    post.refresh_from_db()
    assert post.author is None and Thread.objects.get(pk=post.thread_id).author is None
    assert Ask.objects.get().author is None and Resource.objects.get().suggested_by is None
    # A reaction stays, so the post's counts do not change, and is nobody's.
    [kept] = theirs.reactions.all()
    assert (kept.person, kept.kind) == (None, "thanks")
    # Insights' own step: growth rows carry a pseudonym, not a foreign key.
    assert not GrowthScore.objects.filter(subject=subject_key(pk)).exists()


def test_erasing_a_facilitator_removes_their_notes_and_keeps_their_cohort(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, [cast.participant], start=date(2026, 3, 2))
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    cohort_services.save_note(session=session, author=cast.facilitator, text="Private note")
    pk = cast.facilitator.pk

    account_services.erase_person(person=cast.facilitator)

    assert _rows_still_pointing_at(pk) == []
    assert not FacilitatorNote.objects.exists()
    cohort.refresh_from_db()
    assert cohort.created_by is None and not cohort.facilitators.exists()


@pytest.mark.parametrize("how", ["one", "bulk action"])
def test_deleting_a_person_in_the_operator_admin_erases_them_as_the_app_does(
    cast: Cast, how: str
) -> None:
    """Django's admin deletes by cascade alone; it must take every app's erasure step too
    (insights' pseudonymous rows, an ask response's note) and destroy the data key."""
    me = cast.participant
    practice_services.take_assessment(person=me, answers=_answers(), defense="paralysis")
    pk = me.pk
    operator = Person.objects.create_superuser("op@bridgework.test", "x" * 16)
    client = Client()
    client.force_login(operator)

    if how == "one":
        response = client.post(f"/django-admin/accounts/person/{pk}/delete/", {"post": "yes"})
    else:
        response = client.post(
            "/django-admin/accounts/person/",
            {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not Person.objects.filter(pk=pk).exists()
    assert not GrowthScore.objects.filter(subject=subject_key(pk)).exists()
    assert not DataKey.objects.filter(person_id=pk).exists()
    [logged] = LogEntry.objects.filter(object_id=str(pk), action_flag=DELETION)
    assert logged.object_repr == f"Person {pk}" and me.chosen_name not in str(logged)


# --- assessment taken: practice fires, insights listens ------------------------------------


def test_taking_an_assessment_reaches_insights_through_the_registry(participant: Person) -> None:
    assert any(
        getattr(listener, "__module__", "") == "bridgework.insights.services"
        for listener in registry._assessment_listeners
    )
    practice_services.take_assessment(person=participant, answers=_answers(), defense="paralysis")
    rows = GrowthScore.objects.filter(subject=subject_key(participant.pk), cohort=None)
    assert set(rows.values_list("practice", flat=True)) == set(
        assessment.practice_scores(_answers())
    )
    assert all(row.assessments == 1 and row.baseline == row.latest for row in rows)


def test_an_assessment_taken_is_heard_by_every_listener(
    participant: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard: list[registry.AssessmentTaken] = []
    monkeypatch.setattr(registry, "_assessment_listeners", list(registry._assessment_listeners))
    registry.on_assessment_taken(heard.append)
    saved = practice_services.take_assessment(
        person=participant, answers=_answers(), defense="paralysis"
    )
    assert [(e.person, e.taken_at) for e in heard] == [(participant, saved.taken_at)]
    assert dict(heard[0].scores) == assessment.practice_scores(_answers())


@pytest.mark.parametrize("section", registry.export_sections(), ids=lambda s: s.app)
def test_each_export_section_has_its_template(section: registry.ExportSection) -> None:
    render_to_string(section.template, {"data": {}})


def test_unticking_active_in_the_operator_admin_deactivates_as_the_app_does(
    cast: Cast,
) -> None:
    """Django's admin only saves the field; it must end sessions and revoke what the apps
    revoke on deactivation (the person's calendar address)."""
    me = cast.participant
    token = cohort_services.create_feed(person=me)
    browser = Client()
    browser.force_login(me)
    operator = Person.objects.create_superuser("op@bridgework.test", "x" * 16)
    client = Client()
    client.force_login(operator)

    response = client.post(
        f"/django-admin/accounts/person/{me.pk}/change/",
        {
            "organisation": me.organisation_id,
            "email": me.email,
            "chosen_name": me.chosen_name,
            "pronouns": me.pronouns,
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content
    me.refresh_from_db()
    assert not me.is_active and me.deactivated_at is not None
    assert Client().get(f"/cohorts/calendar/{token}.ics").status_code == 404
    assert not CalendarFeed.objects.filter(person=me).exists()
    assert browser.get("/")["Location"].startswith("/accounts/login/")

    # Ticking it again is a reactivation as the app does it: the deactivation date goes.
    form = {
        "organisation": me.organisation_id,
        "email": me.email,
        "chosen_name": me.chosen_name,
        "pronouns": me.pronouns,
        "is_active": "on",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
    }
    assert client.post(f"/django-admin/accounts/person/{me.pk}/change/", form).status_code == 302
    me.refresh_from_db()
    assert me.is_active and me.deactivated_at is None
