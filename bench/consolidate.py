"""How long consolidating a whole return takes: six authorities answering every question and cell.

    make bench
    python -m bench.consolidate [--runs 50] [--profile]

As bench.render_section: the environment's settings and a database of its own (`<name>_bench`);
the definition cache in the process's memory. Builds one country's return in the 2026 round
with the NSO and five other authorities, each answering every question and every cell of fixed
rows (and three rows of each grid whose rows the respondent adds), equal for most keys, typed
differently for some (1000 and "1000.0", choices in another order), different for about one key
in twenty, "not available" against a value for some. Then times consolidate_return() on the
warm definition cache and prints, last, one line:

    consolidate_ms_median=... consolidate_ms_p95=... queries=... answers=...

`queries` is the number of SQL queries of one consolidation, `answers` the number of reply
answers merged. The aim: a median under 100 ms, and queries that do not grow with questions.
"""

import argparse
import statistics
import sys
import time
from typing import Any

from bench.render_section import (
    create_database,
    load_questionnaire,
    percentile,
    positive,
    setup_django,
)

TARGET_MEDIAN_MS = 100.0
AUTHORITIES = 6
RESPONDENT_ROWS = 3
COUNTRY_ISO3 = "NZL"
CACHE_PREFIX = "bench-consolidate"


def value_for(kind: str, choices: tuple, position: int, authority: int) -> Any:
    """The reply of one authority to one key: mostly equal, sometimes typed or meant otherwise."""
    from consultation.models import Kind

    differs = position % 20 == 0 and authority > 0
    typed_otherwise = position % 7 == 0 and authority % 2 == 1
    codes = [choice.code for choice in choices]
    if kind in (Kind.INTEGER, Kind.YEAR):
        number = 2000 + position % 25 + (authority if differs else 0)
        return f"{number}.0" if typed_otherwise and kind == Kind.INTEGER else number
    if kind in (Kind.DECIMAL, Kind.PERCENTAGE):
        return f"{12.5 + (authority if differs else 0)}" + ("0" if typed_otherwise else "")
    if kind == Kind.DATE:
        return f"2024-0{1 + (authority if differs else 0) % 9}-15"
    if kind == Kind.EMAIL:
        return f"{'Unit' if typed_otherwise else 'unit'}{authority if differs else ''}@example.org"
    if kind == Kind.URL:
        return f"https://example.org/{authority if differs else 'stats'}"
    if kind == Kind.CHECKBOX:
        return True
    if kind == Kind.YES_NO:
        return "no" if differs and authority % 2 else "yes"
    if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.RANKING) and codes:
        picked = codes[: min(2, len(codes))]
        if differs:
            picked = codes[-1:]
        if kind == Kind.SINGLE_CHOICE:
            return picked[0]
        if kind == Kind.MULTIPLE_CHOICE and typed_otherwise:
            return list(reversed(picked))
        return picked
    return f"Answer {position}" + (f" from authority {authority}" if differs else "")


def build_return(questionnaire_id: int) -> tuple[Any, int]:
    """The bench country's return, its replies written afresh; returns it and the answer count."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from consultation.definition import get_definition
    from consultation.formbuilder import respondent_row_code
    from consultation.models import Area, Kind, Question, Round
    from responses.models import Answer, Authority, CountryReturn

    definition = get_definition(questionnaire_id)
    country = Area.objects.get(iso3=COUNTRY_ISO3)
    round_ = Round.objects.get(questionnaire_id=questionnaire_id)
    country_return, _created = CountryReturn.objects.get_or_create(round=round_, country=country)
    Answer.objects.filter(country_return=country_return).delete()
    # A country has one NSO: reuse the one another bench may have made in this database.
    nso = Authority.objects.get_or_create(
        country=country, kind=Authority.Kind.NSO, defaults={"name": "Bench authority 0"}
    )[0]
    authorities = [nso] + [
        Authority.objects.get_or_create(
            country=country,
            name=f"Bench authority {number}",
            defaults={"kind": Authority.Kind.OTHER},
        )[0]
        for number in range(1, AUTHORITIES)
    ]
    user, _created = get_user_model().objects.get_or_create(
        username="bench-consolidate", defaults={"email": "bench-consolidate@example.org"}
    )
    now = timezone.now()
    rows: list[Answer] = []
    position = 0
    for question in definition.questions.values():
        cells: list[tuple[str, str, str, tuple]] = []
        if not question.is_grid:
            cells.append(("", "", question.kind, question.choices))
        else:
            grid_rows = [row.code for row in question.rows]
            if question.row_source == Question.RowSource.RESPONDENT:
                grid_rows = [respondent_row_code(n) for n in range(1, RESPONDENT_ROWS + 1)]
            for row in grid_rows:
                for column in question.columns:
                    cells.append((row, column.code, column.kind, column.choices))
        for row, column_code, kind, choices in cells:
            position += 1
            for number, authority in enumerate(authorities):
                value = value_for(kind, choices, position, number)
                status = ""
                if position % 37 == 0 and number == AUTHORITIES - 1 and kind != Kind.CHECKBOX:
                    value, status = None, "not_available"
                rows.append(
                    Answer(
                        country_return=country_return,
                        authority=authority,
                        question_id=question.id,
                        row_code=row,
                        column_code=column_code,
                        value=value,
                        status=status,
                        version=1,
                        updated_by=user,
                        updated_at=now,
                    )
                )
    Answer.objects.bulk_create(rows, batch_size=2000)
    return country_return, len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=positive, default=50, help="consolidations to time (50)")
    parser.add_argument("--profile", action="store_true", help="profile with pyinstrument")
    options = parser.parse_args(argv)
    profiler = None
    if options.profile:
        try:
            from pyinstrument import Profiler
        except ImportError:
            parser.error("--profile needs pyinstrument: .venv/bin/pip install pyinstrument")
        profiler = Profiler()

    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from consolidation.services import ConsolidatedStatus, consolidate_return
    from consultation.definition import get_definition

    database = create_database()
    # The questionnaire's definition in this process's memory: what is timed is the merge, and
    # another process emptying a shared Redis database would make every run rebuild it.
    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": CACHE_PREFIX}
    with override_settings(CACHES={"default": cache}):
        questionnaire_id = load_questionnaire()
        get_definition(questionnaire_id)
        country_return, answers = build_return(questionnaire_id)
        country_return = (
            type(country_return).objects.select_related("round").get(pk=country_return.pk)
        )
        consolidation = consolidate_return(country_return=country_return)  # warm up
        with CaptureQueriesContext(connection) as captured:
            consolidate_return(country_return=country_return)
        times, cpu_times = [], []
        if profiler is not None:
            profiler.start()
        for _ in range(options.runs):
            start, cpu_start = time.perf_counter(), time.process_time()
            consolidate_return(country_return=country_return)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
        if profiler is not None:
            profiler.stop()

    median, p95 = statistics.median(times), percentile(times, 0.95)
    counts = {status.value: consolidation.count(status) for status in ConsolidatedStatus}
    print(f"database            {database}")
    print(f"return              {country_return} ({AUTHORITIES} authorities)")
    print(f"consolidated keys   {len(consolidation.answers)}: {counts}")
    print(f"runs                {options.runs}")
    # On a loaded machine the wall time waits for the CPU; this process's own CPU time tells.
    print(f"CPU time (Python)   median {statistics.median(cpu_times):.1f} ms")
    print(
        f"target              median under {TARGET_MEDIAN_MS:.0f} ms: "
        + ("met" if median < TARGET_MEDIAN_MS else "NOT MET")
    )
    if profiler is not None:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(
        f"consolidate_ms_median={median:.1f} consolidate_ms_p95={p95:.1f} "
        f"queries={len(captured)} answers={answers}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
