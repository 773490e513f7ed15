from django.urls import path

from . import views

# Under /community/notifications/, where people have always found them.
urlpatterns = [
    path("", views.notifications, name="community_notifications"),
    path("e-mail", views.digest, name="community_digest"),
]
