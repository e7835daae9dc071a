"""URLs of invitations: the accept link, and resending a new link."""

from django.urls import path

from . import views

urlpatterns = [
    path("invitations/accept/", views.invitation_accept, name="invitation-accept"),
    path(
        "returns/<int:return_id>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
]
