"""Every page's query count, pinned as a number: each GET page of the project, from the
position that costs it the most, with the sample objects of the authorization matrix.

Pages whose app pins them at two sizes of data (a list page with 5 and 80 rows) are pinned
there and left out here; every other page is pinned below. A new page that answers 200 to
anyone fails here until it has a number, so no page goes unpinned.
"""

from __future__ import annotations

from django.db import transaction

from .conftest import POSITIONS, Cast, Clock, CountQueries, signed_in_clients
from .test_authorization import ADMIN_PREFIX, all_routes, example_path, sample_values

__all__ = ["sample_values"]  # the fixture, used by name below

# Route name: (the position that costs the page the most, its queries).
PINNED: dict[str, tuple[str, int]] = {
    "healthz": ("participant", 11),  # /healthz
    "delete_account": ("participant", 4),  # /profile/delete-account
    "profile_time_zone": ("participant_and_member", 2),  # /profile/time-zone
    "organisation_settings": ("program_admin", 3),  # /settings/
    "sso_settings": ("program_admin", 5),  # /settings/sign-in/
    "sso_remove": ("program_admin", 3),  # /settings/sign-in/remove
    "invite": ("program_admin", 2),  # /people/invite
    "import_csv": ("program_admin", 2),  # /people/import
    "leave_group": ("participant_and_member", 4),  # /groups/1/leave
    "turn_away_from_group": ("participant_and_member", 5),  # /groups/1/waiting/1/turn-away
    "cohort_item_remove": ("facilitator", 4),  # /cohorts/sessions/1/plan/1/remove
    "cohort_member_remove": ("facilitator", 4),  # /cohorts/1/members/1/remove
    "sources": ("participant", 4),  # /learn/sources/
    "module_edit": ("facilitator", 3),  # /learn/foundations/edit
    "lesson_edit": ("facilitator", 3),  # /learn/foundations/a-verb/edit
    "suggest_tip": ("participant", 3),  # /tips/suggest
    "review_tips": ("facilitator", 3),  # /tips/review
    "assessment": ("participant", 3),  # /practice/assessment/
    "action_plan": ("participant", 4),  # /practice/plan/
    "commit": ("participant", 2),  # /practice/commit/
    "reminder_settings": ("participant_and_member", 6),  # /practice/settings/
    "finish_commitment": ("participant", 3),  # /practice/commitments/1/finish
    "quick_check_in": ("participant", 4),  # /check-in/<signed token>/
    "resource_suggest": ("participant", 5),  # /community/resources/suggest
    "resource": ("facilitator", 4),  # /community/resources/1/
    "resource_review": ("facilitator", 3),  # /community/resources/1/review
    "ask_new": ("participant_and_member", 9),  # /community/asks/spaces/2/new
    "ask_publish": ("facilitator", 8),  # /community/asks/1/publish
    "ask_respond": ("facilitator", 5),  # /community/asks/published/1/respond
    "ask_edit": ("facilitator", 7),  # /community/asks/published/1/edit
    "community_digest": ("participant", 6),  # /community/notifications/e-mail
    "community_space_new": ("facilitator", 5),  # /community/new
    "community_space_edit": ("facilitator", 8),  # /community/2/edit
    "community_guidelines": ("participant_and_member", 4),  # /community/2/guidelines
    "community_thread_new": ("participant_and_member", 4),  # /community/2/threads/new
    "community_balance": ("facilitator", 5),  # /community/2/balance
    "community_poll_new": ("participant_and_member", 4),  # /community/2/polls/new
    "community_poll": ("participant_and_member", 6),  # /community/polls/1/
    "community_poll_close": ("facilitator", 4),  # /community/polls/1/close
    "community_lock": ("facilitator", 4),  # /community/threads/1/lock
    "community_post_edit": ("group_member", 3),  # /community/posts/1/edit
    "community_post_history": ("facilitator", 5),  # /community/posts/1/history
    "community_flag": ("participant_and_member", 3),  # /community/posts/1/flag
    "community_moderate": ("facilitator", 5),  # /community/posts/1/moderate
    "community_pause": ("facilitator", 4),  # /community/posts/1/pause
    "reflection": ("participant", 2),  # /reflect/
    "reflection_journal_new": ("participant", 2),  # /reflect/journal/new
    "reflection_entry": ("participant", 4),  # /reflect/journal/1/
    "reflection_entry_edit": ("participant", 3),  # /reflect/journal/1/edit
    "reflection_entry_delete": ("participant", 3),  # /reflect/journal/1/delete
    "reflection_map": ("participant", 3),  # /reflect/map/
    "reflection_role_model": ("participant", 4),  # /reflect/role-models/1/
    "reflection_role_model_delete": ("participant", 4),  # /reflect/role-models/1/delete
    "reflection_coffee_chat": ("participant", 4),  # /reflect/role-models/1/coffee-chat
    "reflection_apology_new": ("participant", 2),  # /reflect/repair/new
    "reflection_apology": ("participant", 3),  # /reflect/repair/1/
    "reflection_apology_delete": ("participant", 3),  # /reflect/repair/1/delete
    "reflection_note_new": ("participant", 2),  # /reflect/notes/new
    "reflection_my_data": ("participant", 3),  # /reflect/my-data/
    "reflection_export": ("participant", 3),  # /reflect/my-data/1/json
    "cohort_calendar": ("participant", 3),  # /cohorts/calendar/
    "cohort_feed": ("participant", 5),  # /cohorts/calendar/<token>.ics
    "cohort_settings": ("facilitator", 5),  # /cohorts/1/settings
    "cohort_session_edit": ("facilitator", 4),  # /cohorts/sessions/1/edit
    "cohort_item_edit": ("facilitator", 4),  # /cohorts/sessions/1/plan/1/edit
    "cohort_invite": ("facilitator", 3),  # /cohorts/sessions/1/invite.ics
    "cohort_pulse": ("participant", 6),  # /cohorts/sessions/1/pulse
    "insights_pulse": ("participant", 6),  # /insights/pulses/1/
    "provisioning_tokens": ("program_admin", 3),  # /settings/provisioning/
    "revoke_provisioning_token": ("program_admin", 3),  # /settings/provisioning/1/revoke
    "slack_settings": ("program_admin", 3),  # /settings/slack/
    "accept_invitation": ("participant", 4),  # /invitation/<token>/
    "security_settings": ("program_admin", 3),  # /settings/security/
    "mfa_required": ("participant", 2),  # /accounts/2fa/required/
    "mfa_index": ("participant", 4),  # /accounts/2fa/
    "mfa_list_webauthn": ("participant", 3),  # /accounts/2fa/webauthn/
    "account_reset_password": ("participant", 2),  # /accounts/password/reset/
    "account_login": ("anonymous", 0),  # /accounts/login/
    "account_logout": ("participant", 2),  # /accounts/logout/
    "account_inactive": ("participant", 2),  # /accounts/inactive/
    "account_signup": ("anonymous", 0),  # /accounts/signup/
    "account_reauthenticate": ("participant", 8),  # /accounts/reauthenticate/
    "account_email": ("participant", 5),  # /accounts/email/
    "account_email_verification_sent": ("participant", 2),  # /accounts/confirm-email/
    "account_change_password": ("participant", 2),  # /accounts/password/change/
    "account_confirm_email": ("participant", 2),  # /accounts/confirm-email/not-a-real-key/
    "account_reset_password_from_key_done": ("participant", 2),
    "account_reset_password_from_key": ("participant", 3),
    "account_reset_password_done": ("participant", 2),  # /accounts/password/reset/done/
    "sso_find": ("participant", 2),  # /sso/
    "socialaccount_login_cancelled": ("participant", 2),  # /sso/cancelled/
    "sso_start": ("participant", 3),  # /sso/acme/
    "teams_package": ("program_admin", 4),  # /settings/teams/bridgework-teams-app.zip
}

# Pinned where their data is made to grow (their app's tests, test_query_counts.py).
PINNED_AT_TWO_SIZES = frozenset(
    {
        "ask",
        "ask_published",
        "asks",
        "cohort",
        "cohort_attendance",
        "cohort_facilitate",
        "cohort_handout",
        "cohort_new",
        "cohort_run_of_show",
        "cohort_session",
        "cohorts",
        "commitment",
        "community",
        "community_log",
        "community_notifications",
        "community_queue",
        "community_search",
        "community_space",
        "community_thread",
        "group_roster",
        "groups",
        "growth",
        "home",
        "insights",
        "insights_audit",
        "insights_export",
        "insights_privacy",
        "insights_pulses",
        "learn",
        "lesson",
        "manage_group",
        "manage_groups",
        "module",
        "people",
        "person_detail",
        "pick",
        "practice",
        "profile",
        "reflection_journal",
        "reflection_notes",
        "reflection_notes_sent",
        "reflection_repair",
        "reflection_role_models",
        "resources",
        "resources_mine",
        "resources_review",
        "teams_settings",
        "tips",
    }
)


def test_every_other_page_runs_its_pinned_number_of_queries(
    clock: Clock, cast: Cast, sample_values: dict[str, str], count_queries: CountQueries
) -> None:
    as_ = signed_in_clients(cast)

    measured: dict[str, tuple[str, int]] = {}
    unpinned: list[str] = []
    for route, name in all_routes():
        if route.startswith(ADMIN_PREFIX) or name in PINNED_AT_TWO_SIZES:
            continue
        path = example_path(route, sample_values)
        if name in PINNED:
            position = PINNED[name][0]
            with transaction.atomic():  # each page on the same data, whatever it writes
                measured[name] = (position, count_queries(as_(position).get, path))
                transaction.set_rollback(True)
        elif any(as_(position).get(path).status_code == 200 for position in POSITIONS):
            unpinned.append(f"{name} ({path})")

    assert unpinned == [], "Pin these pages' query counts in PINNED"
    changed = [
        f'"{name}": ("{position}", {int(count)}),'
        for name, (position, count) in measured.items()
        if PINNED[name] != (position, count)
    ]
    assert not changed, "Pages that run another number of queries now:\n" + "\n".join(changed)
    assert measured.keys() == PINNED.keys(), "PINNED names a page that is gone"
