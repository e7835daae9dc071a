"""Load the UN M49 tree of regions, countries and areas from the hdx-python-country taxonomy."""

import csv
import importlib.resources
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from consultation.models import Area

TAXONOMY_PACKAGE = "hdx.location"
TAXONOMY_FILE = "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"
WORLD_CODE = "001"
WORLD_NAME = "World"

# Fields compared and rewritten on each load; m49_code is the key.
LOADED_FIELDS = ("iso3", "iso2", "name", "level", "parent_id")


@dataclass(frozen=True)
class AreaLoadResult:
    """How many areas a load created, updated, or left as they were."""

    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class _AreaRow:
    m49_code: str
    iso3: str
    iso2: str
    name: str
    level: str
    parent_id: str | None


@transaction.atomic
def load_areas() -> AreaLoadResult:
    """Create or update the M49 tree: World, regions, sub-regions, intermediate regions, countries.

    Idempotent: a second run finds nothing to change. Areas missing from the taxonomy are
    left in place, since returns and users may point at them. Whatever the number of rows,
    it runs three statements at most: one SELECT, one INSERT and one UPDATE.
    """
    wanted = _read_taxonomy()
    existing = {area.m49_code: area for area in Area.objects.all()}

    to_create: list[Area] = []
    to_update: list[Area] = []
    for row in wanted.values():
        area = existing.get(row.m49_code)
        if area is None:
            to_create.append(Area(**_values(row), m49_code=row.m49_code))
            continue
        changed = False
        for field, value in _values(row).items():
            if getattr(area, field) != value:
                setattr(area, field, value)
                changed = True
        if changed:
            to_update.append(area)

    # Parents come before their children, and PostgreSQL checks the self-referencing key
    # at commit anyway, so one INSERT can hold the whole tree.
    if to_create:
        Area.objects.bulk_create(to_create)
    if to_update:
        Area.objects.bulk_update(to_update, fields=[*LOADED_FIELDS])
    return AreaLoadResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(wanted) - len(to_create) - len(to_update),
    )


def _values(row: _AreaRow) -> dict[str, str | None]:
    return {field: getattr(row, field) for field in LOADED_FIELDS}


def _read_taxonomy() -> dict[str, _AreaRow]:
    """Build the tree, keyed by M49 code, with every parent before its children."""
    world = _AreaRow(WORLD_CODE, "", "", WORLD_NAME, Area.Level.WORLD, None)
    regions: dict[str, _AreaRow] = {}
    subregions: dict[str, _AreaRow] = {}
    intermediates: dict[str, _AreaRow] = {}
    countries: dict[str, _AreaRow] = {}

    for record in _taxonomy_records():
        code = _m49(record["m49 numerical code"])
        # Rows without an M49 code are islands or areas that M49 does not list on their own
        # (Azores, Canary Islands, Channel Islands, Galapagos, Kosovo); deprecated rows
        # (Netherlands Antilles) no longer exist.
        if not code or record["Deprecated"].strip().upper() == "Y":
            continue
        parent_code = WORLD_CODE
        for aggregates, level, code_column, name_column in (
            (regions, Area.Level.REGION, "Region Code", "Region Name"),
            (subregions, Area.Level.SUBREGION, "Sub-region Code", "Sub-region Name"),
            (
                intermediates,
                Area.Level.INTERMEDIATE,
                "Intermediate Region Code",
                "Intermediate Region Name",
            ),
        ):
            aggregate_code = _m49(record[code_column])
            # Antarctica has no region, and most countries no intermediate region.
            if not aggregate_code:
                continue
            name = record[name_column].strip()
            aggregates.setdefault(
                aggregate_code, _AreaRow(aggregate_code, "", "", name, level, parent_code)
            )
            parent_code = aggregate_code
        if code in countries:
            raise ValueError(f"M49 code {code} appears twice in {TAXONOMY_FILE}")
        countries[code] = _AreaRow(
            code,
            record["ISO 3166-1 Alpha 3-Codes"].strip().upper(),
            record["ISO 3166-1 Alpha 2-Codes"].strip().upper(),
            record["M49 English"].strip() or record["Preferred Term"].strip(),
            Area.Level.COUNTRY,
            parent_code,
        )

    tree: dict[str, _AreaRow] = {}
    for rows_of_level in ({WORLD_CODE: world}, regions, subregions, intermediates, countries):
        for code, row in rows_of_level.items():
            if code in tree:
                raise ValueError(f"M49 code {code} appears twice in {TAXONOMY_FILE}")
            tree[code] = row
    return tree


def _taxonomy_records() -> Iterator[dict[str, str]]:
    # Read the file directly: importing hdx.location.country would load its whole API.
    resource = importlib.resources.files(TAXONOMY_PACKAGE) / TAXONOMY_FILE
    yield from csv.DictReader(io.StringIO(resource.read_text(encoding="utf-8"), newline=""))


def _m49(value: str) -> str:
    """Zero-pad an M49 code stored as a number ("4" becomes "004"); blank stays blank."""
    value = value.strip()
    return value.zfill(3) if value else ""
