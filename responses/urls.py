"""URLs of country returns: sections, autosave, history; forwarding; invitations; workbooks."""

from django.urls import include, path

from .answers import views as answer_views
from .returns import views as return_views

app_name = "responses"

urlpatterns = [
    path("returns/<int:return_id>/", return_views.return_overview, name="return-overview"),
    path(
        "returns/<int:return_id>/sections/<str:section>/",
        answer_views.section_edit,
        name="section-edit",
    ),
    path(
        "returns/<int:return_id>/sections/<str:section>/autosave/",
        answer_views.section_autosave,
        name="section-autosave",
    ),
    path(
        "returns/<int:return_id>/sections/<str:section>/history/<str:question>/",
        answer_views.question_history,
        name="question-history",
    ),
    path("", include("responses.forwarding.urls")),
    path("", include("responses.invitations.urls")),
    path("", include("responses.offline.urls")),
]
