"""URLs of forwarding, included inside the `responses` namespace by responses/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("returns/<int:return_id>/forward/", views.forward, name="forward"),
    path(
        "returns/<int:return_id>/sections/<str:section>/hand-back/",
        views.section_hand_back,
        name="section-hand-back",
    ),
    path(
        "returns/<int:return_id>/assignments/<int:assignment_id>/remind/",
        views.assignment_remind,
        name="assignment-remind",
    ),
    path(
        "returns/<int:return_id>/assignments/<int:assignment_id>/reclaim/",
        views.assignment_reclaim,
        name="assignment-reclaim",
    ),
    path(
        "returns/<int:return_id>/assignments/<int:assignment_id>/reforward/",
        views.assignment_reforward,
        name="assignment-reforward",
    ),
    path(
        "returns/<int:return_id>/assignments/<int:assignment_id>/reopen/",
        views.assignment_reopen,
        name="assignment-reopen",
    ),
]
