"""URLs of the questionnaire preview."""

from django.urls import path

from . import views

app_name = "consultation"

urlpatterns = [
    path("preview/<slug:questionnaire>/", views.preview_index, name="preview-index"),
    path(
        "preview/<slug:questionnaire>/print/",
        views.preview_print,
        name="preview-print",
    ),
    path(
        "preview/<slug:questionnaire>/<str:section>/",
        views.preview_section,
        name="preview-section",
    ),
]
