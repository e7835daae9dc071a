"""Celery tasks of the exports: thin wrappers that take primary keys and call building.py."""

from celery import shared_task

from . import building


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def build_export(export_id: int) -> None:
    """Write a queued export's file (a second run of a finished one does nothing)."""
    building.build_export(export_id)


@shared_task
def remove_expired_exports() -> None:
    """Remove export files kept longer than EXPORT_KEEP_HOURS (run hourly by Celery beat)."""
    building.remove_expired_exports()
