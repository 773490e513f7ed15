from django.urls import path

from .views import moderation, polls, spaces, threads

urlpatterns = [
    path("", spaces.index, name="community"),
    path("new", spaces.space_new, name="community_space_new"),
    path("search/", threads.search, name="community_search"),
    path("moderation-log/", moderation.moderation_log, name="community_log"),
    path("<int:space_id>/", spaces.space, name="community_space"),
    path("<int:space_id>/edit", spaces.space_edit, name="community_space_edit"),
    path("<int:space_id>/open", spaces.space_open, name="community_space_open"),
    path("<int:space_id>/guidelines", spaces.guidelines, name="community_guidelines"),
    path("<int:space_id>/threads/new", threads.thread_new, name="community_thread_new"),
    path("<int:space_id>/queue", moderation.queue, name="community_queue"),
    path("<int:space_id>/balance", moderation.balance, name="community_balance"),
    path("<int:space_id>/polls/new", polls.poll_new, name="community_poll_new"),
    path("polls/<int:poll_id>/", polls.poll, name="community_poll"),
    path("polls/<int:poll_id>/close", polls.poll_close, name="community_poll_close"),
    path("threads/<int:thread_id>/", threads.thread, name="community_thread"),
    path("threads/<int:thread_id>/follow", threads.follow, name="community_follow"),
    path("threads/<int:thread_id>/lock", moderation.lock, name="community_lock"),
    path("posts/<int:post_id>/edit", threads.post_edit, name="community_post_edit"),
    path("posts/<int:post_id>/history", threads.post_history, name="community_post_history"),
    path("posts/<int:post_id>/react", threads.react, name="community_react"),
    path("posts/<int:post_id>/flag", moderation.flag, name="community_flag"),
    path("posts/<int:post_id>/moderate", moderation.moderate, name="community_moderate"),
    path("posts/<int:post_id>/pause", moderation.pause, name="community_pause"),
    path("pauses/<int:pause_id>/lift", moderation.lift_pause, name="community_lift_pause"),
]
