from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="reflection"),
    path("journal/", views.journal, name="reflection_journal"),
    path("journal/new", views.journal_new, name="reflection_journal_new"),
    path("journal/<int:entry_id>/", views.entry_detail, name="reflection_entry"),
    path("journal/<int:entry_id>/edit", views.entry_edit, name="reflection_entry_edit"),
    path("journal/<int:entry_id>/delete", views.entry_delete, name="reflection_entry_delete"),
    path("map/", views.social_map, name="reflection_map"),
    path("role-models/", views.role_models, name="reflection_role_models"),
    path("role-models/<int:role_model_id>/", views.role_model, name="reflection_role_model"),
    path(
        "role-models/<int:role_model_id>/delete",
        views.role_model_delete,
        name="reflection_role_model_delete",
    ),
    path("role-models/<int:role_model_id>/goals", views.goal_add, name="reflection_goal_add"),
    path(
        "role-models/<int:role_model_id>/coffee-chat",
        views.coffee_chat,
        name="reflection_coffee_chat",
    ),
    path("goals/<int:goal_id>/commit", views.goal_commit, name="reflection_goal_commit"),
    path("repair/", views.repair, name="reflection_repair"),
    path("repair/new", views.apology_new, name="reflection_apology_new"),
    path("repair/<int:apology_id>/", views.apology_edit, name="reflection_apology"),
    path("repair/<int:apology_id>/delete", views.apology_delete, name="reflection_apology_delete"),
    path("notes/", views.notes_inbox, name="reflection_notes"),
    path("notes/sent/", views.notes_sent, name="reflection_notes_sent"),
    path("notes/new", views.note_new, name="reflection_note_new"),
    path("notes/<int:note_id>/<str:choice>", views.note_sender, name="reflection_note_sender"),
    path(
        "notes/choices/<int:choice_id>/remove",
        views.sender_choice_remove,
        name="reflection_sender_choice_remove",
    ),
    path("my-data/", views.my_data, name="reflection_my_data"),
    path("my-data/<int:export_id>/<str:fmt>", views.export_download, name="reflection_export"),
    path("my-data/delete-account", views.delete_account, name="reflection_delete_account"),
]
