"""No token reaches gunicorn's access log: invitation or password-reset links alike."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_access_log_keeps_no_token(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    environment = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "HTTPS": "false"}
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for path in (
            "/invitations/accept/?token=INVITATION-SECRET",
            "/accounts/reset/MQ/RESET-SECRET/",
        ):
            for _attempt in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
                    break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)

    text = log.read_text()
    assert "/invitations/accept/" in text
    assert "/accounts/reset/MQ/[token]" in text
    assert "SECRET" not in text
