from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="insights"),
    path("export.csv", views.export, name="insights_export"),
    path("audit/", views.audit, name="insights_audit"),
    path("privacy/", views.privacy, name="insights_privacy"),
    path("pulses/", views.pulses, name="insights_pulses"),
    path("pulses/<int:pulse_id>/", views.answer, name="insights_pulse"),
]
