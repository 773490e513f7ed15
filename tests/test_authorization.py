"""The authorization matrix: every URL pattern of the project, from every position.

The table below declares who may do what. The test walks the URL configuration and fails
when a pattern is missing from the table, so no view can be added without deciding (and
testing) who may use it. Someone else's object is always a 404, never a 403.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time, timedelta
from http.cookies import SimpleCookie

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from bridgework.accounts.models import (
    CommunityGroup,
    GroupInvitation,
    GroupMembership,
    Invitation,
    Person,
)
from bridgework.asks import services as ask_services
from bridgework.cohorts import services as cohort_services
from bridgework.cohorts.models import Cohort, Membership
from bridgework.community import services as community_services
from bridgework.community.models import GuidelinesAcceptance, PostingPause, Space
from bridgework.curriculum.models import Module
from bridgework.insights import services as insights_services
from bridgework.practice import services as practice_services
from bridgework.practice.reminders import check_in_token
from bridgework.provisioning.models import ProvisioningToken
from bridgework.reflection import services as reflection_services
from bridgework.resources.models import Resource
from bridgework.sso.models import IdentityProvider
from bridgework.teams.models import TeamsBot

from .conftest import POSITIONS, Cast, curriculum_sample

MEMBERS = [
    "participant",
    "facilitator",
    "program_admin",
    "group_member",
    "participant_and_member",
    "stranger",
]
SIGNED_OUT = ["anonymous", "deactivated"]
LOGIN = "login"  # redirected to the sign-in page
ADMIN_LOGIN = "admin-login"  # redirected to the operator admin's sign-in page


@dataclass(frozen=True)
class Rule:
    """Expected outcome per position for one method; positions not named get `others`."""

    expect: dict[str, int | str]
    others: int | str

    def outcome(self, position: str) -> int | str:
        return self.expect.get(position, self.others)


def members(ok: int, *, stranger: int | None = None) -> Rule:
    """Any signed-in member of an organisation; signed-out people are sent to sign in."""
    expect: dict[str, int | str] = {p: LOGIN for p in SIGNED_OUT}
    if stranger is not None:
        expect["stranger"] = stranger
    return Rule(expect, ok)


def owner_only(ok: int) -> Rule:
    """The participant's own object: everyone else, program admins included, gets a 404."""
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, "participant": ok}, 404)


def admins(ok: int, *, stranger: int) -> Rule:
    """Program admins only. The stranger is an admin elsewhere: `stranger` is what they get."""
    expect: dict[str, int | str] = {p: LOGIN for p in SIGNED_OUT}
    expect.update({"program_admin": ok, "stranger": stranger})
    return Rule(expect, 403)


def everyone(status: int | str, **overrides: int | str) -> Rule:
    return Rule(dict(overrides), status)


def signed_in_redirect(ok: int) -> Rule:
    """Allauth pages for signed-out people; a signed-in person is sent home (302)."""
    return Rule({p: ok for p in SIGNED_OUT}, 302)


def needs_sign_in(ok: int) -> Rule:
    return Rule({p: LOGIN for p in SIGNED_OUT}, ok)


def leaders(ok: int) -> dict[str, int | str]:
    """Facilitators and program admins (the stranger is an admin elsewhere)."""
    return {"facilitator": ok, "program_admin": ok, "stranger": ok}


def cohort_people(ok: int) -> Rule:
    """The sample cohort's member (the participant), its facilitator and program admins."""
    return Rule(
        {**{p: LOGIN for p in SIGNED_OUT}, "participant": ok, **cohort_managers_ok(ok)}, 404
    )


def cohort_managers_ok(ok: int) -> dict[str, int | str]:
    return {"facilitator": ok, "program_admin": ok}


def cohort_managers(ok: int) -> Rule:
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, **cohort_managers_ok(ok)}, 404)


def resource_facilitators(ok: int) -> Rule:
    """The organisation's facilitators; everyone else's role does not include it (403)."""
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": ok}, 403)


def resource_people(ok: int) -> Rule:
    """A suggestion waiting for review: its suggester (the participant) and facilitators."""
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, "participant": ok, "facilitator": ok}, 404)


def group_leads(ok: int) -> Rule:
    """The sample group's lead (Bo); its other member, program admins and the rest get 404."""
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, "participant_and_member": ok}, 404)


def in_space(ok: int) -> Rule:
    """The sample protected space (a community group's): its members and its facilitator.
    Everyone else, program admins included, gets a 404: they never learn it exists."""
    ok_for = ["facilitator", "group_member", "participant_and_member"]
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, **dict.fromkeys(ok_for, ok)}, 404)


def space_facilitators(ok: int) -> Rule:
    """The sample protected space's own facilitator only."""
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": ok}, 404)


def space_facilitators_and_group_leads(ok: int) -> Rule:
    """The sample protected space's own facilitator, and its group's lead (who decides who
    else looks after it)."""
    ok_for = ["facilitator", "participant_and_member"]
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, **dict.fromkeys(ok_for, ok)}, 404)


def post_author_and(ok: int, *others: str) -> Rule:
    """The sample post's author (the group member), and the positions named."""
    names = ["group_member", *others]
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, **dict.fromkeys(names, ok)}, 404)


def ask_author(ok: int) -> Rule:
    """The sample ask's author (the group member) alone: not even the space's facilitator."""
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, "group_member": ok}, 404)


def allies_space(ok: int) -> Rule:
    """The sample allies' space (everyone with the participant role) and its facilitator."""
    ok_for = ["participant", "facilitator", "participant_and_member"]
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, **dict.fromkeys(ok_for, ok)}, 404)


def insight_readers(ok: int) -> Rule:
    """Facilitators and program admins (the stranger is a program admin elsewhere)."""
    return Rule({**{p: LOGIN for p in SIGNED_OUT}, **leaders(ok)}, 403)


OPERATOR_ONLY = everyone(ADMIN_LOGIN)
NOT_ALLOWED = everyone(405)

# route name -> {method: Rule}. GET and POST are checked for every route.
MATRIX: dict[str, dict[str, Rule]] = {
    "home": {"GET": Rule({p: LOGIN for p in SIGNED_OUT}, 200), "POST": NOT_ALLOWED},
    "healthz": {"GET": everyone(200), "POST": NOT_ALLOWED},
    # Anyone may choose a language (kept in a cookie); both send them back where they were.
    "set_language": {"GET": everyone(302), "POST": everyone(302)},
    "profile": {"GET": members(200), "POST": members(200)},
    "delete_account": {"GET": members(200), "POST": members(400)},
    "profile_time_zone": {"GET": members(200), "POST": members(400)},
    # Where reminders go: each person's own choice; linking needs a connected chat service
    # (none in the matrix's organisation), unlinking a link of one's own.
    "chat_destination": {"GET": NOT_ALLOWED, "POST": members(302)},
    "chat_confirm_link": {"GET": NOT_ALLOWED, "POST": members(302)},
    "chat_start_link": {"GET": NOT_ALLOWED, "POST": members(404)},
    "chat_unlink": {"GET": NOT_ALLOWED, "POST": members(404)},
    "groups": {"GET": members(200), "POST": NOT_ALLOWED},
    "join_group": {"GET": NOT_ALLOWED, "POST": members(302, stranger=404)},
    # Asks its members first (others are sent back to the groups).
    "leave_group": {
        "GET": Rule(
            {
                **{p: LOGIN for p in SIGNED_OUT},
                "group_member": 200,
                "participant_and_member": 200,
                "stranger": 404,
            },
            302,
        ),
        "POST": members(302, stranger=404),
    },
    "people": {"GET": admins(200, stranger=200), "POST": NOT_ALLOWED},
    "invite": {"GET": admins(200, stranger=200), "POST": admins(200, stranger=200)},
    "import_csv": {"GET": admins(200, stranger=200), "POST": admins(200, stranger=200)},
    "revoke_invitation": {"GET": NOT_ALLOWED, "POST": admins(302, stranger=404)},
    "resend_invitation": {"GET": NOT_ALLOWED, "POST": admins(302, stranger=404)},
    "person_detail": {"GET": admins(200, stranger=404), "POST": admins(200, stranger=404)},
    "set_person_active": {"GET": NOT_ALLOWED, "POST": admins(302, stranger=404)},
    "manage_groups": {"GET": admins(200, stranger=200), "POST": admins(200, stranger=200)},
    "manage_group": {"GET": admins(200, stranger=404), "POST": admins(200, stranger=404)},
    # The stranger is a program admin too, of their own organisation: they see its settings.
    "organisation_settings": {"GET": admins(200, stranger=200), "POST": admins(200, stranger=200)},
    "security_settings": {"GET": admins(200, stranger=200), "POST": admins(200, stranger=200)},
    "provisioning_tokens": {"GET": admins(200, stranger=200), "POST": admins(200, stranger=200)},
    # Revoking asks first (GET), then revokes (POST).
    "revoke_provisioning_token": {
        "GET": admins(200, stranger=404),
        "POST": admins(302, stranger=404),
    },
    # SCIM answers a provisioning token of the organisation alone, never a session
    # (tests/test_scim.py tries the tokens).
    "scim": {"GET": everyone(401), "POST": everyone(401)},
    # Slack: program admins connect it (an empty form is a 400; "Add to Slack" and its
    # callback send back to the page when it is not set up). Slack's own requests carry no
    # session: unreadable ones are a 400, unsigned ones a 401 (tests/test_slack.py signs).
    "slack_settings": {"GET": admins(200, stranger=200), "POST": admins(400, stranger=400)},
    "slack_disconnect": {"GET": NOT_ALLOWED, "POST": admins(302, stranger=302)},
    "slack_install": {"GET": NOT_ALLOWED, "POST": admins(302, stranger=302)},
    "slack_oauth_callback": {"GET": admins(302, stranger=302), "POST": NOT_ALLOWED},
    "slack_events": {"GET": NOT_ALLOWED, "POST": everyone(400)},
    "slack_interactivity": {"GET": NOT_ALLOWED, "POST": everyone(400)},
    "slack_commands": {"GET": NOT_ALLOWED, "POST": everyone(401)},
    # An empty invitation form is a 400 with the message next to the field.
    "invite_to_group": {"GET": NOT_ALLOWED, "POST": admins(400, stranger=404)},
    # Who is in a group: its leads alone (Bo leads the sample group); to others, no page.
    "group_roster": {"GET": group_leads(200), "POST": NOT_ALLOWED},
    "let_into_group": {"GET": NOT_ALLOWED, "POST": group_leads(302)},
    # Turning away asks first (GET), then turns away (POST).
    "turn_away_from_group": {"GET": group_leads(200), "POST": group_leads(302)},
    # The participant's own invitation into a group: only they can answer it.
    "accept_group_invitation": {"GET": NOT_ALLOWED, "POST": owner_only(302)},
    "decline_group_invitation": {"GET": NOT_ALLOWED, "POST": owner_only(302)},
    # Curriculum: everyone in an organisation can learn; facilitators edit and review.
    "learn": {"GET": members(200), "POST": NOT_ALLOWED},
    "sources": {"GET": members(200), "POST": NOT_ALLOWED},
    "module": {"GET": members(200, stranger=404), "POST": NOT_ALLOWED},
    "module_edit": {
        "GET": Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": 200, "stranger": 403}, 403),
        "POST": Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": 200, "stranger": 403}, 403),
    },
    "lesson_edit": {
        "GET": Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": 200, "stranger": 403}, 403),
        "POST": Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": 200, "stranger": 403}, 403),
    },
    "log_learning": {"GET": NOT_ALLOWED, "POST": members(400, stranger=404)},
    "lesson": {"GET": members(200, stranger=404), "POST": NOT_ALLOWED},
    "lesson_done": {"GET": NOT_ALLOWED, "POST": members(302, stranger=404)},
    "answer_prompt": {"GET": NOT_ALLOWED, "POST": members(302, stranger=404)},
    "tips": {"GET": members(200), "POST": NOT_ALLOWED},
    "suggest_tip": {"GET": members(200), "POST": members(200)},
    "review_tips": {
        "GET": Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": 200, "stranger": 403}, 403),
        "POST": NOT_ALLOWED,
    },
    "review_tip": {
        "GET": NOT_ALLOWED,
        "POST": Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": 302, "stranger": 403}, 403),
    },
    # Practice: everyone's own, for every member; someone else's commitment is a 404.
    "practice": {"GET": members(200), "POST": NOT_ALLOWED},
    "assessment": {"GET": members(200), "POST": members(400)},
    "growth": {"GET": members(200), "POST": NOT_ALLOWED},
    "action_plan": {"GET": members(200), "POST": members(400)},
    "set_capacity": {"GET": NOT_ALLOWED, "POST": members(302)},
    "pick": {"GET": members(200), "POST": NOT_ALLOWED},
    "commit": {"GET": members(200), "POST": members(400)},
    "reminder_settings": {"GET": members(200), "POST": members(400)},
    "check_in": {"GET": NOT_ALLOWED, "POST": owner_only(400)},  # empty: no answer chosen
    "change_commitment": {"GET": NOT_ALLOWED, "POST": owner_only(302)},
    # A commitment's history holds its private notes; finishing asks first on its own page.
    "commitment": {"GET": owner_only(200), "POST": NOT_ALLOWED},
    "finish_commitment": {"GET": owner_only(200), "POST": owner_only(302)},
    # The signed link from a reminder e-mail is enough to check in, signed in or not.
    "quick_check_in": {"GET": everyone(200), "POST": everyone(200)},
    # Reflection: the person's own. Lists are everyone's own page; objects are owner-only.
    "reflection": {"GET": members(200), "POST": NOT_ALLOWED},
    "reflection_journal": {"GET": members(200), "POST": members(200)},
    "reflection_journal_new": {"GET": members(200), "POST": members(400)},
    "reflection_entry": {"GET": owner_only(200), "POST": NOT_ALLOWED},
    "reflection_entry_edit": {"GET": owner_only(200), "POST": owner_only(400)},
    "reflection_entry_delete": {"GET": owner_only(200), "POST": owner_only(302)},
    "reflection_map": {"GET": members(200), "POST": members(302)},
    "reflection_role_models": {"GET": members(200), "POST": members(400)},
    "reflection_role_model": {"GET": owner_only(200), "POST": owner_only(400)},
    "reflection_role_model_delete": {"GET": owner_only(200), "POST": owner_only(302)},
    "reflection_goal_add": {"GET": NOT_ALLOWED, "POST": owner_only(302)},
    "reflection_coffee_chat": {"GET": owner_only(200), "POST": owner_only(400)},
    "reflection_goal_commit": {"GET": NOT_ALLOWED, "POST": owner_only(302)},
    "reflection_repair": {"GET": members(200), "POST": NOT_ALLOWED},
    "reflection_apology_new": {"GET": members(200), "POST": members(200)},
    "reflection_apology": {"GET": owner_only(200), "POST": owner_only(200)},
    "reflection_apology_delete": {"GET": owner_only(200), "POST": owner_only(302)},
    "reflection_notes": {"GET": members(200), "POST": NOT_ALLOWED},
    "reflection_notes_sent": {"GET": members(200), "POST": NOT_ALLOWED},
    "reflection_note_new": {"GET": members(200), "POST": members(400)},
    "reflection_note_sender": {"GET": NOT_ALLOWED, "POST": owner_only(302)},
    "reflection_sender_choice_remove": {"GET": NOT_ALLOWED, "POST": owner_only(302)},
    "reflection_my_data": {"GET": members(200), "POST": members(302)},
    "reflection_export": {"GET": owner_only(200), "POST": NOT_ALLOWED},
    # Moved to the profile: the old address only sends people there.
    "reflection_delete_account": {"GET": members(302), "POST": members(302)},
    # Cohorts: the cohort's members and the people who run it (its facilitators and program
    # admins); everyone else gets a 404. Starting a cohort is for facilitators and admins.
    "cohorts": {"GET": members(200), "POST": NOT_ALLOWED},
    "cohort_new": {
        "GET": Rule({**{p: LOGIN for p in SIGNED_OUT}, **leaders(200)}, 403),
        "POST": Rule({**{p: LOGIN for p in SIGNED_OUT}, **leaders(400)}, 403),
    },
    "cohort_calendar": {"GET": members(200), "POST": members(200)},
    "cohort_feed": {"GET": everyone(200), "POST": NOT_ALLOWED},
    "cohort": {"GET": cohort_people(200), "POST": NOT_ALLOWED},
    "cohort_settings": {"GET": cohort_managers(200), "POST": cohort_managers(400)},
    "cohort_add_session": {"GET": NOT_ALLOWED, "POST": cohort_managers(302)},
    "cohort_enrol": {"GET": NOT_ALLOWED, "POST": cohort_managers(400)},
    "cohort_join": {"GET": NOT_ALLOWED, "POST": cohort_people(302)},
    "cohort_membership": {"GET": NOT_ALLOWED, "POST": cohort_managers(302)},
    # Removing a member (the participant) asks first.
    "cohort_member_remove": {"GET": cohort_managers(200), "POST": cohort_managers(302)},
    "cohort_session": {"GET": cohort_people(200), "POST": NOT_ALLOWED},
    # The sample session was attended, so its time is fixed and nothing else is required.
    "cohort_session_edit": {"GET": cohort_managers(200), "POST": cohort_managers(302)},
    "cohort_run_of_show": {"GET": cohort_managers(200), "POST": cohort_managers(400)},
    "cohort_item_move": {"GET": NOT_ALLOWED, "POST": cohort_managers(302)},
    "cohort_item_edit": {"GET": cohort_managers(200), "POST": cohort_managers(400)},
    "cohort_item_remove": {"GET": cohort_managers(200), "POST": cohort_managers(302)},
    "cohort_facilitate": {"GET": cohort_managers(200), "POST": NOT_ALLOWED},
    "cohort_notes": {"GET": NOT_ALLOWED, "POST": cohort_managers(302)},
    "cohort_handout": {"GET": cohort_people(200), "POST": NOT_ALLOWED},
    "cohort_invite": {"GET": cohort_people(200), "POST": NOT_ALLOWED},
    "cohort_attendance": {"GET": cohort_managers(200), "POST": cohort_managers(302)},
    "cohort_check_in": {"GET": NOT_ALLOWED, "POST": cohort_people(302)},
    # The pulse is for the cohort's members alone: facilitators never answer their own.
    "cohort_pulse": {"GET": owner_only(200), "POST": owner_only(400)},
    # Insights: program admins (the stranger is one elsewhere) and facilitators; others 403.
    "insights": {"GET": insight_readers(200), "POST": NOT_ALLOWED},
    "insights_export": {"GET": insight_readers(200), "POST": NOT_ALLOWED},
    "insights_audit": {"GET": admins(200, stranger=200), "POST": NOT_ALLOWED},
    # The privacy budget: program admins of the organisation (an empty form is a 400).
    "insights_privacy": {
        "GET": admins(200, stranger=200),
        "POST": admins(400, stranger=400),
    },
    "insights_pulses": {"GET": insight_readers(200), "POST": insight_readers(400)},
    # A cohort's safety pulse is answered by its members alone; anyone else gets a 404.
    "insights_pulse": {"GET": owner_only(200), "POST": owner_only(400)},
    # Community: spaces are listed by audience; a space outside it is a 404 (community_*).
    "community": {"GET": members(200), "POST": NOT_ALLOWED},
    "community_space_new": {
        "GET": Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": 200}, 403),
        "POST": Rule({**{p: LOGIN for p in SIGNED_OUT}, "facilitator": 400}, 403),
    },
    "community_search": {"GET": members(200), "POST": NOT_ALLOWED},
    "community_notifications": {"GET": members(200), "POST": members(302)},
    "community_digest": {"GET": members(200), "POST": members(400)},
    "community_log": {
        "GET": Rule({**{p: LOGIN for p in SIGNED_OUT}, **leaders(200)}, 403),
        "POST": NOT_ALLOWED,
    },
    "community_space": {"GET": in_space(200), "POST": NOT_ALLOWED},
    "community_space_edit": {
        "GET": space_facilitators_and_group_leads(200),
        "POST": space_facilitators_and_group_leads(400),
    },
    # The sample space is protected, so nobody may post its asks to a chat channel; an allies'
    # space from every position: tests/test_chat_channels.py.
    "chat_space_channel": {"GET": space_facilitators(404), "POST": space_facilitators(404)},
    # Opening a group's space to its members: its lead (Bo); others who see it get a 403.
    "community_space_open": {
        "GET": NOT_ALLOWED,
        "POST": Rule(
            {
                **{p: LOGIN for p in SIGNED_OUT},
                "participant_and_member": 302,
                "facilitator": 403,
                "group_member": 403,
            },
            404,
        ),
    },
    "community_guidelines": {"GET": in_space(200), "POST": in_space(302)},
    "community_thread_new": {"GET": in_space(200), "POST": in_space(400)},
    "community_queue": {"GET": space_facilitators(200), "POST": NOT_ALLOWED},
    "community_balance": {"GET": space_facilitators(200), "POST": NOT_ALLOWED},
    "community_poll_new": {"GET": in_space(200), "POST": in_space(400)},
    "community_poll": {"GET": in_space(200), "POST": in_space(400)},
    # Closing a poll early: whoever asked (the sample poll's is the facilitator) and the
    # space's facilitators.
    "community_poll_close": {"GET": space_facilitators(200), "POST": space_facilitators(302)},
    "community_thread": {"GET": in_space(200), "POST": in_space(400)},
    "community_follow": {"GET": NOT_ALLOWED, "POST": in_space(302)},
    "community_lock": {"GET": space_facilitators(200), "POST": space_facilitators(400)},
    "community_post_edit": {"GET": post_author_and(200), "POST": post_author_and(400)},
    "community_post_history": {
        "GET": post_author_and(200, "facilitator"),
        "POST": NOT_ALLOWED,
    },
    "community_react": {"GET": NOT_ALLOWED, "POST": in_space(400)},
    "community_flag": {"GET": in_space(200), "POST": in_space(400)},
    "community_moderate": {"GET": space_facilitators(200), "POST": space_facilitators(400)},
    "community_pause": {"GET": space_facilitators(200), "POST": space_facilitators(400)},
    "community_lift_pause": {"GET": NOT_ALLOWED, "POST": space_facilitators(302)},
    # Resources: every member sees the vetted list and suggests; a suggestion is seen by its
    # suggester (the participant) and facilitators; only facilitators review.
    "resources": {"GET": members(200), "POST": NOT_ALLOWED},
    "resource_suggest": {"GET": members(200), "POST": members(400)},
    "resources_mine": {"GET": members(200), "POST": NOT_ALLOWED},
    "resources_review": {"GET": resource_facilitators(200), "POST": NOT_ALLOWED},
    "resource": {"GET": resource_people(200), "POST": NOT_ALLOWED},
    "resource_review": {"GET": resource_facilitators(200), "POST": resource_facilitators(400)},
    "resource_withdraw": {"GET": NOT_ALLOWED, "POST": owner_only(302)},
    # Asks: the original lives in the sample protected space (in_space); its facilitator
    # publishes it; the published version lives in the allies' space (allies_space).
    "asks": {"GET": members(200), "POST": NOT_ALLOWED},
    "ask_new": {"GET": in_space(200), "POST": in_space(400)},
    "ask": {"GET": in_space(200), "POST": NOT_ALLOWED},
    "ask_publish": {"GET": space_facilitators(200), "POST": space_facilitators(400)},
    # Only the author approves or declines the proposed wording, and withdraws it later.
    "ask_approval": {"GET": NOT_ALLOWED, "POST": ask_author(302)},
    "ask_author_withdraw": {"GET": NOT_ALLOWED, "POST": ask_author(302)},
    "ask_published": {"GET": allies_space(200), "POST": NOT_ALLOWED},
    "ask_respond": {"GET": allies_space(200), "POST": allies_space(400)},
    "ask_edit": {"GET": space_facilitators(200), "POST": space_facilitators(400)},
    "ask_withdraw": {"GET": NOT_ALLOWED, "POST": space_facilitators(302)},
    # Invitation links work for anyone holding the token; signed-in people too.
    "accept_invitation": {"GET": everyone(200), "POST": everyone(200)},
    # Signing in through an organisation's identity provider (bridgework/sso). The sample
    # organisation has one; the sample provider address names none, so it is a 404.
    "sso_settings": {"GET": admins(200, stranger=200), "POST": admins(200, stranger=200)},
    # The stranger's organisation has no identity provider to remove.
    "sso_remove": {"GET": admins(200, stranger=404), "POST": admins(302, stranger=404)},
    "sso_find": {"GET": everyone(200), "POST": everyone(400)},
    "sso_start": {"GET": everyone(200), "POST": NOT_ALLOWED},
    # A token nobody was sent: the same "no longer works" page for everyone.
    "sso_confirm_link": {"GET": everyone(404), "POST": everyone(404)},
    "organisation_oidc_login": {"GET": NOT_ALLOWED, "POST": everyone(404)},
    "organisation_oidc_callback": {"GET": everyone(404), "POST": NOT_ALLOWED},
    "socialaccount_login_cancelled": {"GET": everyone(200), "POST": NOT_ALLOWED},
    "socialaccount_login_error": {"GET": everyone(401), "POST": NOT_ALLOWED},
    "saml_login": {"GET": everyone(404), "POST": everyone(404)},
    # The assertion consumer keeps what was posted and redirects to finish_acs, which
    # looks the organisation up.
    "saml_acs": {"GET": everyone(302), "POST": everyone(302)},
    "saml_finish_acs": {"GET": everyone(404), "POST": everyone(404)},
    "saml_sls": {"GET": everyone(404), "POST": everyone(404)},
    "saml_metadata": {"GET": everyone(404), "POST": everyone(404)},
    # Microsoft Teams (bridgework/teams). The sample organisation has a bot; the stranger's
    # has none, so its package and disconnect are a 404. The messaging endpoint answers the
    # Bot Framework's signed token alone (tests/teams/test_incoming_auth.py tries tokens).
    "teams_settings": {"GET": admins(200, stranger=200), "POST": admins(400, stranger=400)},
    "teams_disconnect": {"GET": NOT_ALLOWED, "POST": admins(302, stranger=404)},
    "teams_package": {"GET": admins(200, stranger=404), "POST": NOT_ALLOWED},
    "teams_messages": {"GET": NOT_ALLOWED, "POST": everyone(401)},
    # django-allauth
    "account_login": {"GET": signed_in_redirect(200), "POST": signed_in_redirect(200)},
    "account_logout": {
        "GET": everyone(200, anonymous=LOGIN, deactivated=LOGIN),
        "POST": everyone(LOGIN),
    },
    "account_inactive": {"GET": everyone(200), "POST": NOT_ALLOWED},
    "account_signup": {"GET": signed_in_redirect(200), "POST": signed_in_redirect(200)},
    "account_reauthenticate": {"GET": needs_sign_in(200), "POST": needs_sign_in(200)},
    "account_email": {"GET": needs_sign_in(200), "POST": needs_sign_in(302)},
    "account_email_verification_sent": {"GET": everyone(200), "POST": NOT_ALLOWED},
    "account_change_password": {"GET": needs_sign_in(200), "POST": needs_sign_in(200)},
    "account_set_password": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "account_reset_password": {"GET": everyone(200), "POST": everyone(200)},
    # Without a pending sign-in code there is nothing to confirm: back to sign-in, or home.
    "account_confirm_login_code": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "account_confirm_email": {"GET": everyone(200), "POST": everyone(404)},
    "account_reset_password_from_key_done": {"GET": everyone(200), "POST": NOT_ALLOWED},
    "account_reset_password_from_key": {"GET": everyone(200), "POST": everyone(200)},
    "account_reset_password_done": {"GET": everyone(200), "POST": NOT_ALLOWED},
    # allauth.mfa: each person's own second factors. Changing them first asks to confirm it is
    # them (302 to reauthenticate; the test clients never typed a password); pages about
    # factors someone does not have are a 404. Keys are looked up among the person's own.
    "mfa_required": {"GET": needs_sign_in(200), "POST": NOT_ALLOWED},
    "mfa_index": {"GET": needs_sign_in(200), "POST": needs_sign_in(405)},
    "mfa_list_webauthn": {"GET": needs_sign_in(200), "POST": needs_sign_in(405)},
    "mfa_activate_totp": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "mfa_add_webauthn": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "mfa_edit_webauthn": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "mfa_remove_webauthn": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "mfa_generate_recovery_codes": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "mfa_deactivate_totp": {"GET": needs_sign_in(404), "POST": needs_sign_in(404)},
    "mfa_download_recovery_codes": {"GET": needs_sign_in(404), "POST": needs_sign_in(404)},
    "mfa_view_recovery_codes": {"GET": needs_sign_in(404), "POST": needs_sign_in(405)},
    # Confirming with a second factor someone does not have: back to the password.
    "mfa_reauthenticate": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "mfa_reauthenticate_webauthn": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    # The second step of signing in, and passkey sign-in: without a sign-in under way there
    # is nothing to do, so back to sign-in (signed out) or home (signed in).
    "mfa_authenticate": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
    "mfa_login_webauthn": {"GET": needs_sign_in(302), "POST": needs_sign_in(302)},
}

# The operator admin's own sign-in and sign-out pages are open; everything else in it is
# for platform operators only.
ADMIN_OPEN: dict[str, dict[str, Rule]] = {
    "admin:login": {"GET": everyone(200), "POST": everyone(200)},
    "admin:logout": {"GET": everyone(302), "POST": everyone(302)},
}

# The operator admin site: every pattern, named or not, is for platform operators only.
ADMIN_PREFIX = "django-admin/"


def walk(
    patterns: list[URLPattern | URLResolver],
    prefix: str = "",
    namespace: str = "",
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern


def all_routes() -> list[tuple[str, str]]:
    return [(route, name) for route, name, _ in walk(get_resolver().url_patterns)]


def example_path(route: str, values: dict[str, str]) -> str:
    """Turn a route (path converters or a regex) into a concrete URL with sample values."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "1"), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"\((?:[^()]|\([^()]*\))*\)\??", "accounts", path)  # unnamed groups
    return "/" + path


def test_every_url_pattern_is_in_the_matrix() -> None:
    missing = [
        f"{route} ({name or 'unnamed'})"
        for route, name in all_routes()
        if not route.startswith(ADMIN_PREFIX) and name not in MATRIX
    ]
    assert missing == [], "Add these URL patterns to the authorization matrix: " + ", ".join(
        missing
    )


def test_the_matrix_names_no_route_that_does_not_exist() -> None:
    names = {name for _, name in all_routes()}
    assert set(MATRIX) - names == set()


def outcome_of(response: object, client: Client) -> int | str:
    status: int = response.status_code  # type: ignore[attr-defined]
    if status == 302:
        location: str = response["Location"]  # type: ignore[index]
        if "/django-admin/login/" in location:
            return ADMIN_LOGIN
        if location.startswith("/accounts/login/"):
            return LOGIN
    return status


def reflection_objects(cast: Cast) -> dict[str, str]:
    """One of each private reflection object, all the participant's own."""
    me = cast.participant
    entry = reflection_services.write_entry(person=me, body="A quiet day.")
    role_model = reflection_services.save_role_model(person=me, name="Rosa")
    goal = reflection_services.add_goal(person=me, role_model=role_model, text="Listen more")
    apology = reflection_services.save_apology(person=me, acknowledge="I interrupted you.")
    note = reflection_services.send_note(
        sender=cast.facilitator, recipient=me, kind="check_in", text="How are you?"
    )
    choice = reflection_services.choose_for_sender(
        recipient=me, sender=cast.group_member, choice="muted"
    )
    export = reflection_services.build_export(reflection_services.request_export(person=me))
    return {
        "entry_id": str(entry.pk),
        "role_model_id": str(role_model.pk),
        "goal_id": str(goal.pk),
        "apology_id": str(apology.pk),
        "note_id": str(note.pk),
        "choice": "mute",
        "choice_id": str(choice.pk),
        "export_id": str(export.pk),
        "fmt": "json",
    }


def cohort_objects(cast: Cast, module: Module) -> dict[str, str]:
    """A closed cohort led by the facilitator with the participant as its one member; its
    first session started yesterday, the participant was there, and its pulse is open. Bo
    has asked to join."""
    organisation = cast.participant.organisation
    assert organisation is not None
    cohort = cohort_services.create_cohort(
        organisation=organisation,
        created_by=cast.facilitator,
        name="Tuesday circle",
        start_date=timezone.localdate() - timedelta(days=1),
        start_time=time(16, 0),
        time_zone="Europe/London",
        session_count=2,
        modules=[module],
        facilitators=[cast.facilitator],
        members=[cast.participant],
    )
    request = Membership.objects.create(
        cohort=cohort, person=cast.participant_and_member, status=Membership.Status.REQUESTED
    )
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    cohort_services.mark_attendance(session=session, marks={cast.participant.pk: "present"})
    item = session.items.order_by("position").first()
    assert item is not None
    return {
        "cohort_id": str(cohort.pk),
        "membership_id": str(request.pk),
        "member_id": str(Membership.objects.get(cohort=cohort, person=cast.participant).pk),
        "decision": "approve",
        "session_id": str(session.pk),
        "item_id": str(item.pk),
        "direction": "down",
        "feed_token": cohort_services.create_feed(person=cast.participant),
    }


def community_objects(cast: Cast) -> dict[str, str]:
    """A protected space of the Disability Network (the group member and Bo are members),
    facilitated by Fran, with a thread by the group member, a poll, and Bo's posting paused;
    and an allies' space for everyone taking part."""
    organisation = cast.facilitator.organisation
    assert organisation is not None
    group = CommunityGroup.objects.get(organisation=organisation)
    community_services.create_space(
        organisation=organisation,
        created_by=cast.facilitator,
        name="Allies",
        audience=Space.Audience.ORGANISATION,
    )
    space = community_services.create_space(
        organisation=organisation,
        created_by=cast.facilitator,
        name="Disability Network space",
        audience=Space.Audience.GROUP,
        group=group,
    )
    space.opened_to_group_at = timezone.now()  # as one of the group's leads would
    space.save(update_fields=["opened_to_group_at"])
    for person in (cast.facilitator, cast.group_member, cast.participant_and_member):
        GuidelinesAcceptance.objects.create(space=space, person=person)
    thread = community_services.start_thread(
        space=space, author=cast.group_member, title="What would help", body="Captions, please."
    )
    post = thread.posts.get()
    poll = community_services.create_poll(
        space=space, created_by=cast.facilitator, question="Which?", options=["A", "B"]
    )
    pause = PostingPause.objects.create(
        space=space, person=cast.participant_and_member, reason="A breather.", created_by=None
    )
    return {
        "space_id": str(space.pk),
        "thread_id": str(thread.pk),
        "post_id": str(post.pk),
        "poll_id": str(poll.pk),
        "pause_id": str(pause.pk),
    }


def ask_objects(cast: Cast, space_id: str) -> dict[str, str]:
    """In the sample protected space: an ask whose wording for allies waits for its author's
    approval, and one published to Allies."""
    protected = Space.objects.get(pk=space_id)
    allies = Space.objects.get(organisation=protected.organisation, name="Allies")
    waiting = ask_services.write_ask(
        space=protected, author=cast.group_member, title="Captions", body="Please."
    )
    ask_services.propose(
        ask=waiting, facilitator=cast.facilitator, space=allies, title="Captions", body="On."
    )
    shared = ask_services.write_ask(
        space=protected, author=cast.group_member, title="Slides", body="Early, please."
    )
    ask_services.propose(
        ask=shared, facilitator=cast.facilitator, space=allies, title="Slides", body="Early."
    )
    published = ask_services.approve(
        ask=shared, author=cast.group_member, version=shared.proposal_version
    )
    return {
        "group_space_id": space_id,
        "ask_id": str(waiting.pk),
        "published_id": str(published.pk),
    }


def group_objects(cast: Cast, group: CommunityGroup) -> dict[str, str]:
    """Bo leads the sample group; the participant accepted an invitation into it and waits
    for Bo to let them in."""
    GroupMembership.objects.filter(group=group, person=cast.participant_and_member).update(
        is_lead=True
    )
    invitation = GroupInvitation.objects.create(
        group=group,
        person=cast.participant,
        invited_by=cast.program_admin,
        accepted_at=timezone.now(),
    )
    return {"group_invitation_id": str(invitation.pk)}


def insights_objects(cast: Cast, cohort_id: str) -> dict[str, str]:
    """An open safety pulse for the sample cohort, whose one member is the participant."""
    organisation = cast.participant.organisation
    assert organisation is not None
    today = timezone.localdate()
    pulse = insights_services.create_pulse(
        organisation=organisation,
        created_by=cast.facilitator,
        cohort=Cohort.objects.get(pk=cohort_id),
        opens_on=today,
        closes_on=today + timedelta(days=7),
    )
    return {"pulse_id": str(pulse.pk)}


def sso_objects(cast: Cast) -> dict[str, str]:
    """The sample organisation signs in through an OpenID Connect provider."""
    organisation = cast.participant.organisation
    assert organisation is not None
    IdentityProvider.objects.create(
        organisation=organisation,
        display_name="Acme Login",
        oidc_server_url="https://login.acme.invalid",
        oidc_client_id="bridgework",
    )
    bot = TeamsBot(
        organisation=organisation,
        app_id="6f1c2a9e-0b4d-4e4f-9a53-2f7d1c0e8b11",
        tenant_id="0d3b7c52-41e8-4a6b-9f0e-5c2d8a1b7e44",
    )
    bot.set_secret("not-a-real-secret")
    bot.save()
    return {
        "organisation_slug": organisation.slug,
        "provider_id": "nowhere",
        "organization_slug": "nowhere",
    }


@pytest.fixture
def sample_values(cast: Cast, pending_invitation: tuple[Invitation, str]) -> dict[str, str]:
    invitation, token = pending_invitation
    group = CommunityGroup.objects.get(organisation=cast.participant.organisation)
    module, lesson, prompt, pending_tip = curriculum_sample(cast.participant)
    commitment = practice_services.commit(
        person=cast.participant,
        title="Ask one more question",
        practice="deep-curiosity",
        courage=1,
        cadence="weekly",
    )
    reflection = reflection_objects(cast)
    cohort = cohort_objects(cast, module)
    community = community_objects(cast)
    provisioning_token, _ = ProvisioningToken.issue(
        organisation=group.organisation, name="Okta", created_by=cast.program_admin
    )
    suggestion = Resource.objects.create(
        organisation=group.organisation,
        kind="book",
        title="A book that helped",
        url="https://example.org/book",
        why_it_helped="It did.",
        suggested_by=cast.participant,
    )
    return {
        **reflection,
        **cohort,
        **insights_objects(cast, cohort["cohort_id"]),
        **community,
        **ask_objects(cast, community["space_id"]),
        **group_objects(cast, group),
        "person_id": str(cast.participant.pk),
        "group_id": str(group.pk),
        "invitation_id": str(invitation.pk),
        "token": token,
        "key": "not-a-real-key",
        "uidb36": "1",
        "app_label": "accounts",
        "object_id": "1",
        "content_type_id": "1",
        "url": "accounts/person/",
        "module_slug": module.slug,
        "lesson_slug": lesson.slug,
        "prompt_id": str(prompt.pk),
        "tip_id": str(pending_tip.pk),
        "commitment_id": str(commitment.pk),
        "action": "pause",
        "check_in_token": check_in_token(commitment, commitment.started_on),
        "resource_id": str(suggestion.pk),
        "token_id": str(provisioning_token.pk),
        "organisation_slug": group.organisation.slug,
        "path": "Users",
        "platform_key": "slack",
        **sso_objects(cast),
    }


@pytest.mark.parametrize("position", POSITIONS)
def test_each_position_gets_exactly_what_the_matrix_declares(
    position: str, cast: Cast, sample_values: dict[str, str]
) -> None:
    failures = []
    # Every request below is rolled back, so one signed-in client serves them all.
    client = cast.client(position)
    base_cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    for route, name in all_routes():
        if name in ADMIN_OPEN:
            rules = ADMIN_OPEN[name]
        elif route.startswith(ADMIN_PREFIX):
            rules = {"GET": OPERATOR_ONLY, "POST": OPERATOR_ONLY}
        else:
            rules = MATRIX[name]
        for method, rule in rules.items():
            # Some requests sign out, revoke or deactivate; rolling each back means the next
            # request sees the same world.
            client.cookies = SimpleCookie(dict(base_cookies))
            path = example_path(route, sample_values)
            with transaction.atomic():
                response = client.generic(method, path, follow=False)
                transaction.set_rollback(True)
            got, want = outcome_of(response, client), rule.outcome(position)
            if got != want:
                failures.append(f"{method} {path} ({name}) as {position}: got {got}, want {want}")
            # Private and not stored; /healthz, answered before the session is read, says so
            # with Django's never_cache header.
            directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
            if position in MEMBERS and not {"private", "no-store"} <= directives:
                failures.append(f"{method} {path} ({name}) as {position}: cacheable")
    assert failures == [], "\n".join(failures)


def test_someone_elses_person_is_a_404_not_a_403(cast: Cast) -> None:
    other = Person.objects.exclude(organisation=cast.stranger.organisation).first()
    assert other is not None
    response = cast.client("stranger").get(f"/people/{other.pk}/")
    assert response.status_code == 404


def test_the_operator_can_use_the_operator_admin(db: None) -> None:
    operator = Person.objects.create_superuser("op@bridgework.test", "x" * 16)
    client = Client()
    client.force_login(operator)
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/django-admin/accounts/person/").status_code == 200


@pytest.mark.parametrize("position", POSITIONS)
def test_the_people_search_of_a_new_cohort_follows_the_matrix_and_stays_in_house(
    position: str, cast: Cast
) -> None:
    """The search of "Start a cohort" (a POST with `find`, or its htmx form) is the page's
    own: facilitators and program admins only, and only people of their organisation."""
    rule = MATRIX["cohort_new"]["GET"]
    client = cast.client(position)
    for headers in ({}, {"HX-Request": "true"}):
        ticked = [cast.participant.pk, cast.stranger.pk]
        data = {"member_search": "an", "members": ticked, "find": "1"}
        response = client.post("/cohorts/new", data, headers=headers)
        assert outcome_of(response, client) == rule.outcome(position), (position, headers)
        page = response.content.decode()
        if response.status_code != 200:
            continue
        person = cast.person(position)
        assert person is not None
        for other in (cast.participant, cast.stranger):
            shown = f'name="members" value="{other.pk}"' in page
            assert shown == (other.organisation_id == person.organisation_id), other
