from django.urls import path

from . import views

urlpatterns = [
    path("", views.cohorts, name="cohorts"),
    path("new", views.cohort_new, name="cohort_new"),
    path("calendar/", views.calendar_settings, name="cohort_calendar"),
    path("calendar/<str:feed_token>.ics", views.calendar_feed, name="cohort_feed"),
    path("<int:cohort_id>/", views.cohort, name="cohort"),
    path("<int:cohort_id>/settings", views.cohort_settings, name="cohort_settings"),
    path("<int:cohort_id>/sessions/add", views.add_session, name="cohort_add_session"),
    path("<int:cohort_id>/enrol", views.enrol, name="cohort_enrol"),
    path("<int:cohort_id>/join", views.join, name="cohort_join"),
    path(
        "<int:cohort_id>/members/<str:decision>",
        views.membership,
        name="cohort_membership",
    ),
    path(
        "<int:cohort_id>/members/<int:member_id>/remove",
        views.member_remove,
        name="cohort_member_remove",
    ),
    path("sessions/<int:session_id>/", views.session, name="cohort_session"),
    path("sessions/<int:session_id>/edit", views.session_edit, name="cohort_session_edit"),
    path("sessions/<int:session_id>/plan", views.run_of_show, name="cohort_run_of_show"),
    path(
        "sessions/<int:session_id>/plan/<int:item_id>/move/<str:direction>",
        views.item_move,
        name="cohort_item_move",
    ),
    path(
        "sessions/<int:session_id>/plan/<int:item_id>/edit",
        views.item_edit,
        name="cohort_item_edit",
    ),
    path(
        "sessions/<int:session_id>/plan/<int:item_id>/remove",
        views.item_remove,
        name="cohort_item_remove",
    ),
    path("sessions/<int:session_id>/facilitate", views.facilitate, name="cohort_facilitate"),
    path("sessions/<int:session_id>/notes", views.notes, name="cohort_notes"),
    path("sessions/<int:session_id>/handout", views.handout, name="cohort_handout"),
    path("sessions/<int:session_id>/invite.ics", views.invite, name="cohort_invite"),
    path("sessions/<int:session_id>/attendance", views.attendance, name="cohort_attendance"),
    path("sessions/<int:session_id>/check-in", views.check_in, name="cohort_check_in"),
    path("sessions/<int:session_id>/pulse", views.pulse, name="cohort_pulse"),
]
