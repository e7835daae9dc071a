"""Tasks Celery beat starts on a schedule: the daily reminders.

The name is the one the task had as `responses.tasks`, which CELERY_BEAT_SCHEDULE names.
"""

from celery import shared_task

from .reminders import send_daily_reminders as send


@shared_task(name="responses.tasks.send_daily_reminders")
def send_daily_reminders() -> None:
    """Remind holders of sections due soon or overdue, and focal points of the round deadline."""
    send()
