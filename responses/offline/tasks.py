"""Celery tasks of offline workbooks: reading a large upload away from the web request."""

from celery import shared_task

from .services import read_in_background


@shared_task(name="responses.offline.read_workbook_upload", ignore_result=True)
def read_workbook_upload(*, token: str, stored_name: str, user_id: int, return_id: int) -> None:
    """Read and check a stored upload; its progress and preview go to the cache (idempotent)."""
    read_in_background(token=token, stored_name=stored_name, user_id=user_id, return_id=return_id)
