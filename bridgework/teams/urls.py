from django.urls import path

from . import views

urlpatterns = [
    path("settings/teams/", views.teams_settings, name="teams_settings"),
    path("settings/teams/disconnect", views.teams_disconnect, name="teams_disconnect"),
    path("settings/teams/bridgework-teams-app.zip", views.teams_package, name="teams_package"),
    path("teams/messages", views.teams_messages, name="teams_messages"),
]
