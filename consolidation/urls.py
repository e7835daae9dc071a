"""URLs of UNSD's desk: the dashboard, the tabulations and the exports."""

from django.urls import path

from .dashboard import views as dashboard_views
from .exports import views as export_views

app_name = "consolidation"

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
]
