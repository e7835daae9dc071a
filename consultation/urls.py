"""URLs of the questionnaire preview."""

from django.urls import path

from . import views

app_name = "consultation"

urlpatterns = [
    path("preview/", views.preview_index, name="preview-index"),
]
