from django.urls import path

from . import views

urlpatterns = [
    path("", views.asks, name="asks"),
    path("spaces/<int:group_space_id>/new", views.new, name="ask_new"),
    path("<int:ask_id>/", views.ask, name="ask"),
    path("<int:ask_id>/publish", views.publish, name="ask_publish"),
    path("<int:ask_id>/approval", views.approval, name="ask_approval"),
    path("<int:ask_id>/withdraw", views.author_withdraw, name="ask_author_withdraw"),
    path("published/<int:published_id>/", views.published, name="ask_published"),
    path("published/<int:published_id>/respond", views.respond, name="ask_respond"),
    path("published/<int:published_id>/edit", views.edit, name="ask_edit"),
    path("published/<int:published_id>/withdraw", views.withdraw, name="ask_withdraw"),
]
