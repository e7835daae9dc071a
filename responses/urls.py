"""URLs of country returns: sections, autosave, history; forwarding; invitations; workbooks."""

from django.urls import include, path

from . import views

app_name = "responses"

urlpatterns = [
    path("returns/<int:return_id>/", views.return_overview, name="return-overview"),
    path(
        "returns/<int:return_id>/sections/<str:section>/",
        views.section_edit,
        name="section-edit",
    ),
    path(
        "returns/<int:return_id>/sections/<str:section>/autosave/",
        views.section_autosave,
        name="section-autosave",
    ),
    path(
        "returns/<int:return_id>/sections/<str:section>/history/<str:question>/",
        views.question_history,
        name="question-history",
    ),
    path("", include("responses.forwarding_urls")),
    path("", include("responses.offline.urls")),
    path("", include("responses.account_urls")),
]
