"""The e-mail tasks through real Celery workers and the real Redis broker (not eager)."""

import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection, transaction

from config.celery import app
from responses.models import OutboundEmail
from responses.notifications.queue import queue_email

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 2  # seconds, for the workers started here


def needs_broker():
    if not settings.CELERY_BROKER_URL:
        pytest.skip("CELERY_BROKER_URL is not set: `make test` sets it to the local Redis")


@pytest.fixture
def worker():
    needs_broker()
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def test_an_email_queued_in_a_transaction_is_sent_by_the_worker_after_commit(worker):
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


# --- A worker killed in the middle of sending ---------------------------------------------------


class MailServer(socketserver.ThreadingTCPServer):
    """A small SMTP server. It takes the first message's data and never answers it (the
    connection hangs, as when a worker dies mid-send); later messages it accepts (250)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), MailHandler)
        self.received: list[str] = []  # every message whose data arrived
        self.accepted: list[str] = []  # those answered "250": delivered, by SMTP's rules
        self.release = threading.Event()


class MailHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: MailServer = self.server  # type: ignore[assignment]
        self.reply("220 test")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command == "DATA":
                self.reply("354 go on")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data.decode(errors="replace"))
                message = "".join(body)
                server.received.append(message)
                if len(server.received) == 1:
                    server.release.wait(30)  # the sender dies waiting for this answer
                    return
                server.accepted.append(message)
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def start_worker_process(mail_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **{key: connection.settings_dict[key] or "" for key in ("USER", "HOST", "PORT")},
            NAME=connection.settings_dict["NAME"],
        ),
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_an_email_redelivered_after_its_worker_died_is_sent_exactly_once():
    needs_broker()
    server = MailServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.conf.task_always_eager = False
    first = second = None
    try:
        with app.connection_for_write() as broker:
            broker.default_channel.client.flushdb()  # no task left over from other tests
        first = start_worker_process(server.server_address[1])
        with transaction.atomic():
            email = queue_email(
                to="focal@example.org",
                subject="Section C handed back",
                template="responses/emails/test_message.txt",
                context={"text": "Hello"},
            )

        # The first worker hands the message to the server, then dies before it is answered.
        wait_for(lambda: server.received, 30, "the first worker to send")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        email.refresh_from_db()
        assert email.sent_at is None  # its transaction died with it
        assert server.accepted == []

        # The broker gives the unacknowledged task to the next worker, which sends it once.
        time.sleep(VISIBILITY_TIMEOUT + 0.5)
        second = start_worker_process(server.server_address[1])
        wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).sent_at, 30, "the redelivery")
        time.sleep(VISIBILITY_TIMEOUT + 1)  # long enough for any further redelivery to happen

        assert len(server.accepted) == 1
        assert "Hello" in server.accepted[0]
        assert len(server.received) == 2  # the lost attempt, and the one delivery
        email.refresh_from_db()
        assert email.sent_at is not None
    finally:
        server.release.set()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)
        server.shutdown()
        server.server_close()
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
