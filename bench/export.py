"""How fast and how lean the consolidated export of a full round is, against bare openpyxl.

    python -m bench.export --countries 200

Settings come from the environment, as for the tests. The data live in the benchmark's own
database (`<name>_bench`, see bench.render_section): on the first run a child process fills a
round of synthetic consolidated answers (every question and cell answered, bench.synthetic).
Then this process exports the round to a temporary .xlsx (timed: reading the answers and
writing the workbook), notes its peak memory, and writes the same cells again with bare
openpyxl in write-only mode (only the appends and the save are timed). It prints, last:

    countries=200 cells=... seconds=... peak_mb=... bare_seconds=... ratio=...

Aim: under 8 s and 300 MB on the 2-core development machine, ratio under 1.5.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.render_section import (
    ROUND_CODE,
    bench_cache,
    create_database,
    load_questionnaire,
    positive,
    setup_django,
)

ROOT = Path(__file__).resolve().parent.parent


def desk_cache(cache: dict) -> dict:
    """bench.render_section's cache, under a key prefix of this database's own: another
    checkout's benchmark forgetting its definition must not empty this one's."""
    from django.db import connection

    return {**bench_cache(cache), "KEY_PREFIX": f"bench-desk-{connection.settings_dict['NAME']}"}


BARE_CHUNK = 20_000


def ensure_round_data(round_: Any, countries: int) -> None:
    """A round of synthetic answers for `countries` countries, generated if it is not there."""
    from responses.models import CountryReturn

    if CountryReturn.objects.filter(round=round_).count() == countries:
        return
    CountryReturn.objects.filter(round=round_).delete()
    # A child process, so that generating leaves this process's peak memory alone.
    subprocess.run(
        [sys.executable, "-m", "bench.export", "--countries", str(countries), "--generate"],
        check=True,
        cwd=ROOT,
        env=os.environ,
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_write(path: str, sheets: list) -> float:
    """Write the sheets' plain values with bare openpyxl write-only mode; seconds spent."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    spent = 0.0
    for sheet in sheets:
        start = time.perf_counter()
        worksheet = workbook.create_sheet(sheet.title)
        for header in sheet.headers:
            worksheet.append(header)
        spent += time.perf_counter() - start
        rows = iter(sheet.rows)
        while True:
            chunk = [list(row) for _n, row in zip(range(BARE_CHUNK), rows, strict=False)]
            if not chunk:
                break
            start = time.perf_counter()
            for row in chunk:
                worksheet.append(row)
            spent += time.perf_counter() - start
    start = time.perf_counter()
    workbook.save(path)
    return spent + time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--countries", type=positive, default=200)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)

    setup_django()
    from django.conf import settings
    from django.test.utils import override_settings

    create_database()
    with override_settings(CACHES={"default": desk_cache(settings.CACHES["default"])}):
        from consolidation.exports.building import export_sheets, export_units, write_export
        from consolidation.models import Export
        from consultation.definition import get_definition
        from consultation.models import Round

        questionnaire_id = load_questionnaire()
        round_ = Round.objects.select_related("questionnaire").get(code=ROUND_CODE)
        definition = get_definition(questionnaire_id)
        if options.generate:
            from bench.synthetic import generate_round

            written = generate_round(round_, definition, options.countries)
            print(f"generated {written} answers for {options.countries} countries")
            return 0
        ensure_round_data(round_, options.countries)
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "export.xlsx")
            start = time.perf_counter()
            manifest = write_export(round_=round_, kind=Export.Kind.CONSOLIDATED, target=path)
            seconds = time.perf_counter() - start
            peak = peak_mb()
            size = Path(path).stat().st_size
            units = export_units(
                kind=Export.Kind.CONSOLIDATED, round_=round_, questionnaire=definition
            )
            sheets = export_sheets(
                kind=Export.Kind.CONSOLIDATED, questionnaire=definition, units=units
            )
            bare_seconds = bare_write(str(Path(folder) / "bare.xlsx"), sheets)
    for sheet in manifest.sheets:
        print(f"{sheet.title:32} {sheet.rows:>9} rows {sheet.cells:>10} cells")
    print(f"workbook size {size / 1e6:.1f} MB")
    print(
        f"countries={options.countries} cells={manifest.cells} seconds={seconds:.2f} "
        f"peak_mb={peak:.0f} bare_seconds={bare_seconds:.2f} ratio={seconds / bare_seconds:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
