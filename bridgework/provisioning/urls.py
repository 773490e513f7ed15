from django.urls import path

from . import views

urlpatterns = [
    path("settings/provisioning/", views.provisioning_tokens, name="provisioning_tokens"),
    path(
        "settings/provisioning/<int:token_id>/revoke",
        views.revoke_provisioning_token,
        name="revoke_provisioning_token",
    ),
    path("scim/v2/<slug:organisation_slug>/<path:path>", views.scim, name="scim"),
]
