"""URLs of invitations: the accept link, and resending a new link."""

from django.urls import path

from . import account_views

urlpatterns = [
    path("invitations/accept/", account_views.invitation_accept, name="invitation-accept"),
    path(
        "returns/<int:return_id>/invitations/<int:invitation_id>/resend/",
        account_views.invitation_resend,
        name="invitation-resend",
    ),
]
