"""URLs of submission and review: check answers, submit, review, queries, corrections."""

from django.urls import path as django_path
from django.views.decorators.http import require_http_methods

from . import views

app_name = "review"

# Pages take GET and POST; any other method is answered 405.
only_get_and_post = require_http_methods(["GET", "HEAD", "POST"])


def path(route, view, name):
    return django_path(route, only_get_and_post(view), name=name)


urlpatterns = [
    path("returns/<int:return_id>/check-answers/", views.check_answers, name="check-answers"),
    path("returns/<int:return_id>/submit/", views.submit, name="submit"),
    path("returns/<int:return_id>/review/", views.review, name="review"),
    path("returns/<int:return_id>/review/accept/", views.accept, name="accept"),
    path("returns/<int:return_id>/review/reopen/", views.reopen, name="reopen"),
    path("returns/<int:return_id>/queries/", views.queries, name="queries"),
    path("returns/<int:return_id>/queries/new/", views.raise_query, name="query-raise"),
    path("returns/<int:return_id>/queries/<int:query_id>/", views.query_detail, name="query"),
    path(
        "returns/<int:return_id>/queries/<int:query_id>/correct/",
        views.query_correct,
        name="query-correct",
    ),
    path(
        "returns/<int:return_id>/queries/<int:query_id>/resolve/",
        views.query_resolve,
        name="query-resolve",
    ),
    path("returns/<int:return_id>/corrections/new/", views.correction_new, name="correction-new"),
    path(
        "returns/<int:return_id>/corrections/<int:correction_id>/",
        views.correction_detail,
        name="correction",
    ),
]
