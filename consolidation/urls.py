"""URLs of consolidation: the return's consolidation page and one consolidated answer; UNSD's
desk: the dashboard, the tabulations and the exports."""

from django.urls import path as django_path
from django.views.decorators.http import require_http_methods

from . import views
from .dashboard import views as dashboard_views
from .exports import views as export_views

app_name = "consolidation"

# Pages take GET and POST; any other method is answered 405.
only_get_and_post = require_http_methods(["GET", "HEAD", "POST"])


def path(route, view, name):
    return django_path(route, only_get_and_post(view), name=name)


urlpatterns = [
    path("unsd/", dashboard_views.dashboard, name="dashboard"),
    path("unsd/dashboard.xlsx", dashboard_views.dashboard_download, name="dashboard-download"),
    path("unsd/returns/<int:return_id>/remind/", dashboard_views.remind, name="remind"),
    path("unsd/tabulations/", dashboard_views.tabulations, name="tabulations"),
    path("unsd/exports/", export_views.export_list, name="exports"),
    path("unsd/exports/<int:export_id>/", export_views.export_status, name="export-status"),
    path(
        "unsd/exports/<int:export_id>/download/",
        export_views.export_download,
        name="export-download",
    ),
    path(
        "returns/<int:return_id>/consolidation/",
        views.consolidation_page,
        name="consolidation",
    ),
    path(
        "returns/<int:return_id>/consolidation/separate-returns/",
        views.separate_returns_choose,
        name="separate-returns",
    ),
    path(
        "returns/<int:return_id>/consolidation/separate-returns/withdraw/",
        views.separate_returns_withdraw,
        name="separate-returns-withdraw",
    ),
    path(
        "returns/<int:return_id>/consolidation/<str:key>/",
        views.consolidated_answer,
        name="answer",
    ),
]
