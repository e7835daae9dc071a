"""The offline workbook in a real browser: download, change two answers, upload, check, apply."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultation.models import Round
from responses.models import AnswerChange
from tests.e2e.test_return_flow import assert_accessible, sign_in
from tests.responses.offline.helpers import edit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_focal_point_fills_the_reply_in_excel_and_uploads_it(
    live_server, page: Page, world, tmp_path
):
    Round.objects.filter(pk=world.round.pk).update(
        status=Round.Status.OPEN,
        opened_at=timezone.now(),
        deadline=timezone.localdate() + timedelta(days=60),
    )
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the reply as an Excel workbook").click()
    download = download_info.value
    assert download.suggested_filename == "2026-KEN-nso.xlsx"
    downloaded = tmp_path / download.suggested_filename
    download.save_as(downloaded)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(
        edit(downloaded.read_bytes(), {"A3": "Kenya National Bureau of Statistics", "B6": "Yes"})
    )

    page.get_by_role("link", name="Upload a filled-in workbook").click()
    page.get_by_label("Filled-in workbook (.xlsx)").set_input_files(filled)
    page.get_by_role("button", name="Upload and check").click()
    changes = page.locator("#upload-changes")
    expect(changes).to_contain_text("A3 Name of the responding institution")
    expect(changes).to_contain_text("Kenya National Bureau of Statistics")
    expect(changes).to_contain_text("B6")
    expect(page.locator("#upload-counts")).to_contain_text("New")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("2 answers will be saved")).to_be_visible()
    page.get_by_role("button", name="Apply the changes").click()
    expect(page.get_by_text("The workbook is applied: 2 answer(s) saved.")).to_be_visible()

    page.goto(f"{base}/returns/{world.return_a.pk}/sections/A/")
    expect(page.get_by_label(re.compile(r"^A3 "))).to_have_value(
        "Kenya National Bureau of Statistics"
    )
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/B/")
    expect(page.locator("#f-B6-yes")).to_be_checked()
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/A/history/A3/")
    history = page.locator("table")
    expect(history).to_contain_text("Excel upload")
    expect(history).to_contain_text("Kenya National Bureau of Statistics")
    page.wait_for_load_state("networkidle")
    assert AnswerChange.objects.filter(channel=AnswerChange.Channel.EXCEL).count() == 2
