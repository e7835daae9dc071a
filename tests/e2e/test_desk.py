"""UNSD's desk in a real browser: the dashboard's charts, and an export's progress bar."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from consolidation.models import Export
from tests.consolidation.exports import fill_world
from tests.e2e.test_return_flow import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def export_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }


def test_dashboard_draws_its_charts_from_the_figures_on_the_page(live_server, page: Page, world):
    fill_world(world)
    sign_in(page, live_server.url, "reviewer@un.org")

    page.goto(f"{live_server.url}/unsd/")

    expect(page.locator("#dashboard-table tbody tr")).to_have_count(2)
    expect(page.locator("#chart-regions svg rect").first).to_be_visible()
    expect(page.locator("#chart-submissions svg path")).to_have_count(1)
    expect(page.locator("#figures-regions tbody tr")).to_have_count(2)
    page.get_by_label("Country name or code").fill("KEN")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#dashboard-table tbody tr")).to_have_count(1)
    assert_accessible(page)


@pytest.mark.usefixtures("export_storage")
def test_export_page_follows_progress_and_offers_the_file(live_server, page: Page, world):
    running = Export.objects.create(
        round=world.round,
        kind=Export.Kind.CONSOLIDATED,
        status=Export.Status.RUNNING,
        countries_total=2,
        countries_done=1,
        requested_by=world.reviewer,
    )
    sign_in(page, live_server.url, "reviewer@un.org")

    page.goto(f"{live_server.url}/unsd/exports/")
    row = page.locator(f"#export-{running.pk}")
    expect(row.locator("progress")).to_have_attribute("value", "50")
    assert_accessible(page)

    running.file.save("2026/ready.xlsx", ContentFile(b"workbook"), save=False)
    Export.objects.filter(pk=running.pk).update(
        status=Export.Status.DONE, countries_done=2, file=running.file.name
    )

    expect(row.get_by_role("link", name="Download")).to_be_visible(timeout=10_000)
    expect(row.locator("progress")).to_have_attribute("value", "100")


@pytest.mark.usefixtures("export_storage")
def test_asking_for_an_export_writes_it(live_server, page: Page, world):
    fill_world(world)
    sign_in(page, live_server.url, "reviewer@un.org")
    page.goto(f"{live_server.url}/unsd/exports/")

    page.get_by_label("Raw replies of every authority").check()
    page.get_by_role("button", name="Write the export").click()

    export = Export.objects.get()
    row = page.locator(f"#export-{export.pk}")
    expect(row.get_by_role("link", name="Download")).to_be_visible(timeout=20_000)
    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert "reviewer@un.org" in row.inner_text()
