"""The settings refuse unsafe configurations and pass Django's deployment checks in production."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent

# Only what a process needs to run; nothing of the test run's configuration leaks in
# (DJANGO_ALLOW_ASYNC_UNSAFE, SECRET_KEY, the _FILE variants...).
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def run_in_clean_environment(args: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    environment.update(variables)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_manage(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return run_in_clean_environment(["manage.py", *args], **variables)


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit status {result.returncode}\n{result.stdout}\n{result.stderr}"


def production_environment() -> dict[str, str]:
    environment = {
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "consultation.example.org",
    }
    if os.environ.get("DATABASE_URL"):
        environment["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return environment


def test_production_settings_pass_the_deployment_checks() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_environment())

    assert result.returncode == 0, output_of(result)


def test_secret_key_is_required_without_debug() -> None:
    result = run_manage("check", DEBUG="false")

    assert result.returncode != 0, output_of(result)
    assert "SECRET_KEY is not set" in result.stdout + result.stderr, output_of(result)


def test_secret_key_is_read_from_the_file_named_by_secret_key_file(tmp_path: Path) -> None:
    secret_key = secrets.token_urlsafe(60)
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(f"{secret_key}\n", encoding="utf-8")

    result = run_in_clean_environment(
        ["-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        DEBUG="false",
        SECRET_KEY_FILE=str(secret_file),
    )

    assert result.returncode == 0, output_of(result)
    assert result.stdout.strip() == secret_key


def test_a_missing_secret_key_file_is_named_in_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file"

    result = run_manage("check", DEBUG="false", SECRET_KEY_FILE=str(missing))

    assert result.returncode != 0, output_of(result)
    assert f"SECRET_KEY_FILE names '{missing}'" in result.stderr, output_of(result)


def test_openpyxl_parses_workbooks_with_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_a_debug_value_that_is_not_a_boolean_is_refused() -> None:
    result = run_manage("check", DEBUG="maybe", SECRET_KEY=secrets.token_urlsafe(60))

    assert result.returncode != 0, output_of(result)
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr, output_of(result)


def test_hsts_is_not_preloaded_unless_asked() -> None:
    show = ["-c", "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"]
    environment = production_environment()

    default = run_in_clean_environment(show, **environment)
    asked = run_in_clean_environment(show, **environment, SECURE_HSTS_PRELOAD="true")

    assert default.stdout.strip() == "False", output_of(default)
    assert asked.stdout.strip() == "True", output_of(asked)
