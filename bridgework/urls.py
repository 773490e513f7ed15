from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from bridgework.accounts import views as accounts
from bridgework.chat import views as chat
from bridgework.curriculum import views as curriculum
from bridgework.front import views as front
from bridgework.operations import views as operations
from bridgework.practice import views as practice
from bridgework.sso import views as sso

admin.site.site_header = "Bridgework operator admin"
admin.site.site_title = "Bridgework operator admin"

urlpatterns = [
    path("", front.home, name="home"),
    path("healthz", operations.healthz, name="healthz"),
    # Before signing in, a chosen language is kept in a cookie (Django's set_language).
    path("language", set_language, name="set_language"),
    path("profile/", accounts.profile, name="profile"),
    path("profile/delete-account", accounts.delete_account, name="delete_account"),
    path("profile/reminders/", include("bridgework.chat.urls")),
    path("profile/time-zone", practice.time_zone_settings, name="profile_time_zone"),
    path("groups/", accounts.groups, name="groups"),
    path("groups/<int:group_id>/join", accounts.join_group, name="join_group"),
    path("groups/<int:group_id>/leave", accounts.leave_group, name="leave_group"),
    path("groups/<int:group_id>/members/", accounts.group_roster, name="group_roster"),
    path(
        "groups/<int:group_id>/waiting/<int:group_invitation_id>/let-in",
        accounts.let_into_group,
        name="let_into_group",
    ),
    path(
        "groups/<int:group_id>/waiting/<int:group_invitation_id>/turn-away",
        accounts.turn_away_from_group,
        name="turn_away_from_group",
    ),
    path(
        "groups/invitations/<int:group_invitation_id>/accept",
        accounts.accept_group_invitation,
        name="accept_group_invitation",
    ),
    path(
        "groups/invitations/<int:group_invitation_id>/decline",
        accounts.decline_group_invitation,
        name="decline_group_invitation",
    ),
    path("people/", accounts.people, name="people"),
    path("settings/", accounts.organisation_settings, name="organisation_settings"),
    path("settings/sign-in/", sso.sso_settings, name="sso_settings"),
    path("settings/sign-in/remove", sso.remove_provider, name="sso_remove"),
    path("people/invite", accounts.invite, name="invite"),
    path("people/import", accounts.import_csv, name="import_csv"),
    path(
        "people/invitations/<int:invitation_id>/revoke",
        accounts.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "people/invitations/<int:invitation_id>/resend",
        accounts.resend_invitation,
        name="resend_invitation",
    ),
    path("people/<int:person_id>/", accounts.person_detail, name="person_detail"),
    path("people/<int:person_id>/active", accounts.set_person_active, name="set_person_active"),
    path("people/groups/", accounts.manage_groups, name="manage_groups"),
    path("people/groups/<int:group_id>/", accounts.manage_group, name="manage_group"),
    path("people/groups/<int:group_id>/invite", accounts.invite_to_group, name="invite_to_group"),
    path("learn/", curriculum.learn, name="learn"),
    path("learn/sources/", curriculum.sources, name="sources"),
    path("learn/prompts/<int:prompt_id>/answer", curriculum.answer_prompt, name="answer_prompt"),
    path("learn/<slug:module_slug>/", curriculum.module_detail, name="module"),
    path("learn/<slug:module_slug>/edit", curriculum.module_edit, name="module_edit"),
    path("learn/<slug:module_slug>/log", curriculum.log_learning, name="log_learning"),
    path("learn/<slug:module_slug>/<slug:lesson_slug>/", curriculum.lesson_detail, name="lesson"),
    path(
        "learn/<slug:module_slug>/<slug:lesson_slug>/edit",
        curriculum.lesson_edit,
        name="lesson_edit",
    ),
    path(
        "learn/<slug:module_slug>/<slug:lesson_slug>/done",
        curriculum.lesson_done,
        name="lesson_done",
    ),
    path("tips/", curriculum.tips, name="tips"),
    path("tips/suggest", curriculum.suggest_tip, name="suggest_tip"),
    path("tips/review", curriculum.review_tips, name="review_tips"),
    path("tips/<int:tip_id>/review", curriculum.review_tip, name="review_tip"),
    path("practice/", practice.dashboard, name="practice"),
    path("practice/assessment/", practice.take_assessment, name="assessment"),
    path("practice/growth/", practice.growth, name="growth"),
    path("practice/plan/", practice.action_plan, name="action_plan"),
    path("practice/capacity", practice.set_capacity, name="set_capacity"),
    path("practice/pick/", practice.pick, name="pick"),
    path("practice/commit/", practice.commit, name="commit"),
    path("practice/settings/", practice.reminder_settings, name="reminder_settings"),
    path(
        "practice/commitments/<int:commitment_id>/check-in",
        practice.check_in,
        name="check_in",
    ),
    path(
        "practice/commitments/<int:commitment_id>/",
        practice.commitment_history,
        name="commitment",
    ),
    path(
        "practice/commitments/<int:commitment_id>/finish",
        practice.finish_commitment,
        name="finish_commitment",
    ),
    path(
        "practice/commitments/<int:commitment_id>/<str:action>",
        practice.change_commitment,
        name="change_commitment",
    ),
    path("check-in/<str:check_in_token>/", practice.quick_check_in, name="quick_check_in"),
    path("community/resources/", include("bridgework.resources.urls")),
    path("community/asks/", include("bridgework.asks.urls")),
    path("community/notifications/", include("bridgework.notifications.urls")),
    path("community/<int:space_id>/chat-channel", chat.space_channel, name="chat_space_channel"),
    path("community/", include("bridgework.community.urls")),
    path("reflect/", include("bridgework.reflection.urls")),
    path("cohorts/", include("bridgework.cohorts.urls")),
    path("insights/", include("bridgework.insights.urls")),
    path("", include("bridgework.provisioning.urls")),
    path("", include("bridgework.slack.urls")),
    path("invitation/<str:token>/", accounts.accept_invitation, name="accept_invitation"),
    path("", include("bridgework.security.urls")),
    # Before allauth's own: people at an organisation that signs in only through its identity
    # provider are sent there rather than sent a reset link.
    path("accounts/password/reset/", sso.reset_password, name="account_reset_password"),
    path("accounts/", include("allauth.account.urls")),
    path("accounts/", include("allauth.socialaccount.providers.saml.urls")),
    path("sso/", include("bridgework.sso.urls")),
    path("", include("bridgework.teams.urls")),
    path("django-admin/", admin.site.urls),
]

handler400 = "bridgework.front.views.bad_request"
handler403 = "bridgework.front.views.permission_denied"
handler404 = "bridgework.front.views.not_found"
handler500 = "bridgework.front.views.server_error"
