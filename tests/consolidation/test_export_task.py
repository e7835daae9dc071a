"""Exports asked for on the site: the Celery task writes the file into export storage with its
progress, the page lists it with who and when, the file downloads, and old files are removed."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consolidation.exceptions import ExportError
from consolidation.exports import building
from consolidation.exports.services import request_export
from consolidation.models import Export
from tests.consolidation.exports import fill_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for an export as the site does: its task runs once the request commits."""

    def asking(**arguments):
        with django_capture_on_commit_callbacks(execute=True):
            export = request_export(**arguments)
        export.refresh_from_db()
        return export

    return asking


@pytest.fixture(autouse=True)
def export_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }
    return tmp_path / "exports"


def test_asking_for_an_export_queues_the_task_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = request_export(user=world.reviewer, round_=world.round, kind="consolidated")

    assert len(callbacks) == 1
    assert export.status == Export.Status.QUEUED
    assert export.countries_total == 2
    assert export.requested_by == world.reviewer


def test_the_task_writes_the_file_and_reports_progress(world, export_folder, monkeypatch):
    fill_world(world)
    export = request_export(user=world.reviewer, round_=world.round, kind="consolidated")
    seen = []
    original = building.write_export

    def spying(**kwargs):
        report = kwargs["report"]

        def noting(done, total):
            report(done, total)
            seen.append(Export.objects.get(pk=export.pk).countries_done)

        return original(**{**kwargs, "report": noting})

    monkeypatch.setattr(building, "write_export", spying)

    building.build_export(export.pk)

    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.percent == 100
    assert seen == sorted(seen)
    assert seen[-1] == 2
    assert export.size > 0
    assert export.cells > 0
    files = list(export_folder.rglob("*.xlsx"))
    assert len(files) == 1
    assert files[0].name.startswith("2026-consolidated-")
    assert load_workbook(files[0]).sheetnames[0] == "Read me"


def test_running_the_task_again_leaves_a_finished_export_alone(world, export_folder, ask):
    export = ask(user=world.reviewer, round_=world.round, kind="consolidated")
    export.refresh_from_db()
    name = export.file.name

    building.build_export(export.pk)

    export.refresh_from_db()
    assert export.file.name == name
    assert len(list(export_folder.rglob("*.xlsx"))) == 1


def test_a_failing_export_is_marked_failed_with_its_reason(world, monkeypatch, ask):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(building, "write_export", broken)
    export = ask(user=world.reviewer, round_=world.round, kind="consolidated")

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.error == "disk full"


def test_one_country_and_csv_exports(world, ask):
    fill_world(world)
    export = ask(
        user=world.reviewer,
        round_=world.round,
        kind="country",
        country_iso3="ken",
        file_format="csv",
    )

    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.country_iso3 == "KEN"
    assert export.file.name.endswith(".zip")


@pytest.mark.parametrize(
    ("kind", "country", "file_format", "message"),
    [
        ("everything", "", "xlsx", "Choose what to export"),
        ("consolidated", "", "pdf", "Choose Excel or CSV"),
        ("country", "", "xlsx", "Choose the country"),
        ("country", "ZZZ", "xlsx", "no return for ZZZ"),
    ],
)
def test_bad_requests_are_refused_and_record_nothing(world, kind, country, file_format, message):
    with pytest.raises(ExportError, match=message):
        request_export(
            user=world.reviewer,
            round_=world.round,
            kind=kind,
            country_iso3=country,
            file_format=file_format,
        )
    assert not Export.objects.exists()


def test_export_page_lists_exports_with_who_and_when_and_downloads(
    client, world, django_capture_on_commit_callbacks
):
    fill_world(world)
    client.force_login(world.reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("consolidation:exports"),
            {"round": "2026", "kind": "raw", "format": "xlsx", "country": ""},
        )

    assert response.status_code == 302
    export = Export.objects.get()
    page = client.get(reverse("consolidation:exports"))
    html = page.content.decode()
    assert "reviewer@un.org" in html
    assert f'id="export-{export.pk}"' in html
    status = client.get(reverse("consolidation:export-status", args=[export.pk])).json()
    assert status["status"] == "done"
    assert status["percent"] == 100
    download = client.get(status["download"])
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "Long" in book.sheetnames


def test_a_bad_form_shows_a_message_and_writes_nothing(client, world):
    client.force_login(world.reviewer)

    response = client.post(
        reverse("consolidation:exports"),
        {"round": "2026", "kind": "country", "format": "xlsx", "country": "ZZZ"},
        follow=True,
    )

    assert response.status_code == 200
    assert "no return for ZZZ" in response.content.decode()
    assert not Export.objects.exists()
    missing = client.post(reverse("consolidation:exports"), {"round": "nope", "kind": "raw"})
    assert missing.status_code == 302
    assert not Export.objects.exists()


def test_old_export_files_are_removed_and_the_rows_kept(world, settings, export_folder, ask):
    settings.EXPORT_KEEP_HOURS = 24
    old = ask(user=world.reviewer, round_=world.round, kind="consolidated")
    new = ask(user=world.reviewer, round_=world.round, kind="consolidated")
    Export.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert len(list(export_folder.rglob("*.xlsx"))) == 2

    removed = building.remove_expired_exports()

    assert removed == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == Export.Status.REMOVED
    assert not old.file
    assert new.status == Export.Status.DONE
    assert [path.name for path in export_folder.rglob("*.xlsx")] == [new.file.name.rsplit("/")[-1]]
    assert building.remove_expired_exports() == 0


def test_a_removed_export_no_longer_downloads(client, world, ask):
    export = ask(user=world.reviewer, round_=world.round, kind="consolidated")
    Export.objects.filter(pk=export.pk).update(status=Export.Status.REMOVED, file="")
    client.force_login(world.reviewer)

    response = client.get(reverse("consolidation:export-download", args=[export.pk]))

    assert response.status_code == 404
