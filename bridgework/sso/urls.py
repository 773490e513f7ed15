from allauth.socialaccount import views as socialaccount_views
from django.urls import path

from . import views
from .provider import PROVIDER_ID

urlpatterns = [
    path("", views.find_provider, name="sso_find"),
    path("oidc/<slug:provider_id>/login/", views.oidc_login, name=f"{PROVIDER_ID}_login"),
    path(
        "oidc/<slug:provider_id>/login/callback/",
        views.oidc_callback,
        name=f"{PROVIDER_ID}_callback",
    ),
    # allauth redirects to these two by name; our adapter answers every failure itself.
    path(
        "cancelled/",
        socialaccount_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("error/", socialaccount_views.login_error, name="socialaccount_login_error"),
    path("link/<str:token>/", views.confirm_link, name="sso_confirm_link"),
    path("<slug:organisation_slug>/", views.start, name="sso_start"),
]
