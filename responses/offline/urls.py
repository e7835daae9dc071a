"""URLs of offline workbooks, included inside the `responses` namespace by responses/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("returns/<int:return_id>/workbook/", views.workbook_download, name="workbook-download"),
    path(
        "returns/<int:return_id>/workbook/upload/",
        views.workbook_upload,
        name="workbook-upload",
    ),
    path(
        "preview/<slug:questionnaire>/workbook/",
        views.blank_workbook_download,
        name="blank-workbook",
    ),
]
