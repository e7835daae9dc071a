"""Celery tasks of the responses app: thin wrappers that take primary keys and call services."""

from celery import shared_task


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation_email(invitation_id: int) -> None:
    """Send an invitation's e-mail once (a second run, or a retry after success, does nothing)."""
    from .emails import deliver_invitation

    deliver_invitation(invitation_id)


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_outbound_email(email_id: int) -> None:
    """Send a notification written to the outbox, once."""
    from .emails import deliver_outbound_email

    deliver_outbound_email(email_id)


@shared_task
def send_daily_reminders() -> None:
    """Remind holders of sections due soon or overdue, and focal points of the round deadline."""
    from .reminders import send_daily_reminders as send

    send()
