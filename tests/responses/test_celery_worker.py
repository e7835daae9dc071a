"""The e-mail tasks through a real Celery worker and the real Redis broker (not eager)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import transaction

from config.celery import app
from responses.models import OutboundEmail
from responses.notifications.queue import queue_email
from responses.notifications.tasks import send_outbound_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    if not settings.CELERY_BROKER_URL:
        pytest.skip("CELERY_BROKER_URL is not set: `make test` sets it to the local Redis")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def test_an_email_queued_in_a_transaction_is_sent_once_by_the_worker_after_commit(worker):
    with transaction.atomic():
        email = queue_email(
            to="focal@example.org",
            subject="Section C handed back",
            template="responses/emails/test_message.txt",
            context={"text": "Hello"},
        )
        assert OutboundEmail.objects.get(pk=email.pk).sent_at is None

    for _attempt in range(100):
        email.refresh_from_db()
        if email.sent_at:
            break
        time.sleep(0.1)
    assert email.sent_at is not None
    assert [message.to for message in mail.outbox] == [["focal@example.org"]]

    # A second delivery of the same task (a retry, a redelivery) sends nothing more.
    send_outbound_email.delay(email.pk).get(timeout=10)
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(worker):
    class Rollback(Exception):
        pass

    def write_then_fail():
        with transaction.atomic():
            queue_email(
                to="focal@example.org",
                subject="Never sent",
                template="responses/emails/test_message.txt",
                context={"text": "Hello"},
            )
            raise Rollback

    with pytest.raises(Rollback):
        write_then_fail()

    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []
