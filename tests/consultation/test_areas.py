"""Tests for loading the UN M49 countries and areas."""

import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.areas import AreaLoadResult, load_areas
from consultation.models import Area

pytestmark = pytest.mark.django_db


def remove_areas() -> None:
    """Start from no areas (the session's reference data has them), leaves first."""
    for level in ("country", "intermediate", "subregion", "region", "world"):
        Area.objects.filter(level=level).delete()


@pytest.fixture
def areas() -> AreaLoadResult:
    remove_areas()
    return load_areas()


def statements(context: CaptureQueriesContext) -> list[str]:
    """The SQL run, without the savepoints of the test transaction around atomic blocks."""
    return [
        query["sql"]
        for query in context.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_load_creates_world_regions_and_countries(areas: AreaLoadResult) -> None:
    assert areas.created == Area.objects.count()
    assert areas.updated == 0
    assert areas.unchanged == 0
    assert Area.objects.get(level=Area.Level.WORLD).m49_code == "001"
    regions = Area.objects.filter(level=Area.Level.REGION)
    assert {(region.m49_code, region.name) for region in regions} == {
        ("002", "Africa"),
        ("019", "Americas"),
        ("142", "Asia"),
        ("150", "Europe"),
        ("009", "Oceania"),
    }
    assert all(region.parent_id == "001" for region in regions)
    assert Area.objects.filter(level=Area.Level.SUBREGION).count() >= 17
    assert Area.objects.filter(level=Area.Level.COUNTRY).count() >= 240


def test_codes_are_zero_padded(areas: AreaLoadResult) -> None:
    afghanistan = Area.objects.get(iso3="AFG")
    assert afghanistan.m49_code == "004"
    assert afghanistan.iso2 == "AF"
    assert afghanistan.name == "Afghanistan"
    assert afghanistan.level == Area.Level.COUNTRY
    assert afghanistan.parent is not None
    assert (afghanistan.parent.m49_code, afghanistan.parent.name) == ("034", "Southern Asia")
    assert afghanistan.parent.parent_id == "142"
    assert not Area.objects.exclude(m49_code__regex=r"^[0-9]{3}$").exists()


def test_cyprus_is_in_asia(areas: AreaLoadResult) -> None:
    cyprus = Area.objects.get(iso3="CYP")
    assert cyprus.m49_code == "196"
    assert cyprus.parent_id == "145"
    assert cyprus.region is not None
    assert cyprus.region.name == "Asia"


def test_caribbean_is_an_intermediate_region_of_latin_america(areas: AreaLoadResult) -> None:
    caribbean = Area.objects.get(m49_code="029")
    assert caribbean.name == "Caribbean"
    assert caribbean.level == Area.Level.INTERMEDIATE
    assert caribbean.parent_id == "419"
    assert caribbean.parent is not None
    assert caribbean.parent.name == "Latin America and the Caribbean"
    assert caribbean.parent.level == Area.Level.SUBREGION
    assert Area.objects.get(iso3="JAM").parent_id == "029"


def test_region_walks_up_to_the_continent(areas: AreaLoadResult) -> None:
    def region_code(iso3: str) -> str | None:
        region = Area.objects.get(iso3=iso3).region
        return region.m49_code if region else None

    assert region_code("AFG") == "142"
    assert region_code("JAM") == "019"  # through Caribbean and Latin America
    assert region_code("JEY") == "150"  # through Channel Islands and Northern Europe
    assert region_code("NGA") == "002"  # through Western Africa and Sub-Saharan Africa
    assert region_code("FJI") == "009"
    assert region_code("ATA") is None  # Antarctica sits directly under the world
    assert Area.objects.get(m49_code="001").region is None


def test_second_load_creates_nothing(areas: AreaLoadResult) -> None:
    count = Area.objects.count()

    again = load_areas()

    assert again == AreaLoadResult(created=0, updated=0, unchanged=count)
    assert Area.objects.count() == count


def test_load_repairs_edited_areas(areas: AreaLoadResult) -> None:
    Area.objects.filter(iso3="AFG").update(name="Renamed", iso2="")
    Area.objects.filter(iso3="CYP").update(parent_id="150")

    again = load_areas()

    assert again.created == 0
    assert again.updated == 2
    afghanistan = Area.objects.get(iso3="AFG")
    assert (afghanistan.name, afghanistan.iso2) == ("Afghanistan", "AF")
    assert Area.objects.get(iso3="CYP").parent_id == "145"


def test_load_runs_a_constant_number_of_queries() -> None:
    remove_areas()
    with CaptureQueriesContext(connection) as first:
        load_areas()
    Area.objects.filter(iso3__in=["AFG", "CYP", "JAM"]).update(name="Renamed")
    with CaptureQueriesContext(connection) as repair:
        load_areas()
    with CaptureQueriesContext(connection) as unchanged:
        load_areas()

    assert [sql.split()[0] for sql in statements(first)] == ["SELECT", "INSERT"]
    assert [sql.split()[0] for sql in statements(repair)] == ["SELECT", "UPDATE"]
    assert [sql.split()[0] for sql in statements(unchanged)] == ["SELECT"]


def test_load_does_not_import_the_hdx_country_api(monkeypatch: pytest.MonkeyPatch) -> None:
    # hdx.location.country builds its whole country index on import; the CSV alone is enough.
    monkeypatch.delitem(sys.modules, "hdx.location.country", raising=False)

    load_areas()

    assert "hdx.location.country" not in sys.modules


def test_command_prints_counts() -> None:
    remove_areas()
    output = StringIO()

    call_command("load_areas", stdout=output)
    call_command("load_areas", stdout=output)

    first, second = output.getvalue().splitlines()
    count = Area.objects.count()
    assert first == f"Areas: {count} created, 0 updated, 0 unchanged."
    assert second == f"Areas: 0 created, 0 updated, {count} unchanged."
