from django.urls import path

from . import views

urlpatterns = [
    path("settings/slack/", views.slack_settings, name="slack_settings"),
    path("settings/slack/disconnect", views.slack_disconnect, name="slack_disconnect"),
    path("settings/slack/install", views.slack_install, name="slack_install"),
    path("settings/slack/oauth", views.slack_oauth_callback, name="slack_oauth_callback"),
    path("slack/events", views.slack_events, name="slack_events"),
    path("slack/interactivity", views.slack_interactivity, name="slack_interactivity"),
    path("slack/commands", views.slack_commands, name="slack_commands"),
]
