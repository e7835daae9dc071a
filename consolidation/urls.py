"""URLs of consolidation: the return's consolidation page and one consolidated answer."""

from django.urls import path

from . import views

app_name = "consolidation"

urlpatterns = [
    path(
        "returns/<int:return_id>/consolidation/",
        views.consolidation_page,
        name="consolidation",
    ),
    path(
        "returns/<int:return_id>/consolidation/<str:key>/",
        views.consolidated_answer,
        name="answer",
    ),
]
