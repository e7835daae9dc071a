"""Celery tasks that send e-mail: thin wrappers that take primary keys and deliver once.

Their names are those they had as `responses.tasks`, so that queued messages still find them.
"""

from celery import shared_task

from .delivery import deliver_invitation, deliver_outbound_email


@shared_task(
    name="responses.tasks.send_invitation_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation_email(invitation_id: int) -> None:
    """Send an invitation's e-mail once (a second run, or a retry after success, does nothing)."""
    deliver_invitation(invitation_id)


@shared_task(
    name="responses.tasks.send_outbound_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_outbound_email(email_id: int) -> None:
    """Send a notification written to the outbox, once."""
    deliver_outbound_email(email_id)
