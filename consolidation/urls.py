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
