from django.urls import path

from . import views

urlpatterns = [
    path("", views.resources, name="resources"),
    path("suggest", views.suggest, name="resource_suggest"),
    path("mine/", views.mine, name="resources_mine"),
    path("review/", views.review_queue, name="resources_review"),
    path("<int:resource_id>/", views.resource, name="resource"),
    path("<int:resource_id>/review", views.review, name="resource_review"),
    path("<int:resource_id>/withdraw", views.withdraw, name="resource_withdraw"),
]
