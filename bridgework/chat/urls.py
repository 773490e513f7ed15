from django.urls import path

from . import views

urlpatterns = [
    path("destination", views.choose_destination, name="chat_destination"),
    path("confirm", views.confirm_link, name="chat_confirm_link"),
    path("<slug:platform_key>/link", views.start_link, name="chat_start_link"),
    path("<slug:platform_key>/unlink", views.unlink, name="chat_unlink"),
]
