from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="community"),
    path("new", views.space_new, name="community_space_new"),
    path("search/", views.search, name="community_search"),
    path("notifications/", views.notifications, name="community_notifications"),
    path("notifications/e-mail", views.digest, name="community_digest"),
    path("moderation-log/", views.moderation_log, name="community_log"),
    path("<int:space_id>/", views.space, name="community_space"),
    path("<int:space_id>/edit", views.space_edit, name="community_space_edit"),
    path("<int:space_id>/open", views.space_open, name="community_space_open"),
    path("<int:space_id>/guidelines", views.guidelines, name="community_guidelines"),
    path("<int:space_id>/threads/new", views.thread_new, name="community_thread_new"),
    path("<int:space_id>/queue", views.queue, name="community_queue"),
    path("<int:space_id>/balance", views.balance, name="community_balance"),
    path("<int:space_id>/polls/new", views.poll_new, name="community_poll_new"),
    path("polls/<int:poll_id>/", views.poll, name="community_poll"),
    path("threads/<int:thread_id>/", views.thread, name="community_thread"),
    path("threads/<int:thread_id>/follow", views.follow, name="community_follow"),
    path("threads/<int:thread_id>/lock", views.lock, name="community_lock"),
    path("posts/<int:post_id>/edit", views.post_edit, name="community_post_edit"),
    path("posts/<int:post_id>/history", views.post_history, name="community_post_history"),
    path("posts/<int:post_id>/react", views.react, name="community_react"),
    path("posts/<int:post_id>/flag", views.flag, name="community_flag"),
    path("posts/<int:post_id>/moderate", views.moderate, name="community_moderate"),
    path("posts/<int:post_id>/pause", views.pause, name="community_pause"),
    path("pauses/<int:pause_id>/lift", views.lift_pause, name="community_lift_pause"),
]
