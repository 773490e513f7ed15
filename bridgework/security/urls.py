from django.urls import include, path

from . import views

urlpatterns = [
    path("settings/security/", views.security_settings, name="security_settings"),
    path("accounts/2fa/required/", views.mfa_required, name="mfa_required"),
    path("accounts/2fa/", include("allauth.mfa.urls")),
]
