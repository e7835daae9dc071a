"""How long the staff preview takes to render the largest section, and in how many queries.

    make bench                       # as CI's environment: PostgreSQL, Redis, DEBUG off
    python -m bench.render_section --renders 200 [--profile]

Settings come from the environment, as for the tests (`make bench` passes the same variables
as `make test`). As for bench.autosave, the data live in a database of their own, `<name>_bench`
next to the one DATABASE_URL names (in memory for SQLite), created and migrated if needed, so
that real data are never touched; the cache gets Redis database 15 and a key prefix of its own,
so that the tests' cache.clear() cannot empty it. Prints the number of queries per render (cold
and warm definition cache), the median and 95th percentile of the server time, and the page's
size. The aim: a constant number of queries, and a median under 40 ms.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE_FILE = ROOT / "fixtures" / "questionnaires" / "migration-2026.yaml"
ROUND_CODE = "2026"
TARGET_MEDIAN_MS = 40.0
CACHE_PREFIX = "bench-render"
BENCH_REDIS_DB = 15  # as bench.autosave: the last of Redis's 16 default databases
INPUT = re.compile(rb"<(?:input|select|textarea)\b(?![^>]*type=\"hidden\")")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_database() -> str:
    """Create (or reuse) and migrate the benchmark's own database; return its name."""
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor != "sqlite":
        test_settings = connection.settings_dict.setdefault("TEST", {})
        test_settings["NAME"] = f"{connection.settings_dict['NAME']}_bench"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)


def bench_cache(cache: dict[str, Any]) -> dict[str, Any]:
    """The cache settings with a key prefix of their own and, for Redis, database 15."""
    cache = {**cache, "KEY_PREFIX": CACHE_PREFIX}
    if "redis" in cache["BACKEND"].lower() and isinstance(cache.get("LOCATION"), str):
        cache["LOCATION"] = re.sub(
            r"(redis://[^/?]+)(/\d*)?", rf"\1/{BENCH_REDIS_DB}", cache["LOCATION"]
        )
    return cache


def load_questionnaire() -> int:
    from consultation.areas import load_areas
    from consultation.loader import load_questionnaire
    from consultation.models import Round

    round_ = Round.objects.filter(code=ROUND_CODE).first()
    if round_ is None:
        load_areas()
        load_questionnaire(QUESTIONNAIRE_FILE, round_code=ROUND_CODE)
        round_ = Round.objects.get(code=ROUND_CODE)
    return round_.questionnaire_id


def staff_client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _created = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"email": "bench-staff@example.org", "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    return client


def render(client: Any, url: str) -> tuple[float, int, bytes]:
    """One request: (milliseconds, number of queries, HTML)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed, len(queries), response.content


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("give at least 1")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--renders", type=positive, default=200, help="renders to time (200)")
    parser.add_argument("--section", help="the section to render (default: the largest)")
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
    from django.conf import settings
    from django.test.utils import override_settings

    from consultation.definition import forget_definition, get_definition

    database = create_database()
    static_storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    caches = {"default": bench_cache(settings.CACHES["default"])}
    # No collectstatic needed for {% static %}; cache keys apart from the tests' and the app's.
    with override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": static_storage}, CACHES=caches
    ):
        questionnaire_id = load_questionnaire()
        definition = get_definition(questionnaire_id)
        client = staff_client()

        def url(section: str) -> str:
            return f"/preview/{definition.code}/{section}/"

        sizes = {}
        for section in definition.sections:
            sizes[section.code] = len(INPUT.findall(render(client, url(section.code))[2]))
        code = options.section or max(sizes, key=lambda item: sizes[item])

        forget_definition(questionnaire_id)
        cold_ms, cold_queries, _html = render(client, url(code))
        render(client, url(code))  # warm up: templates, translations, connection
        times, counts = [], set()
        if profiler is not None:
            profiler.start()
        for _ in range(options.renders):
            elapsed, queries, html = render(client, url(code))
            times.append(elapsed)
            counts.add(queries)
        if profiler is not None:
            profiler.stop()

    median = statistics.median(times)
    print(f"database            {database}")
    print(f"section             {code} ({sizes[code]} inputs; largest of {sizes})")
    print(f"renders             {options.renders}")
    print(
        f"queries per render  {cold_queries} (cold definition cache), "
        f"{'/'.join(map(str, sorted(counts)))} (warm)"
    )
    print(
        f"server time         median {median:.1f} ms, 95th percentile "
        f"{percentile(times, 0.95):.1f} ms (cold: {cold_ms:.1f} ms)"
    )
    print(f"HTML size           {len(html):,} bytes")
    print(
        f"target              median under {TARGET_MEDIAN_MS:.0f} ms, constant queries: "
        + ("met" if median < TARGET_MEDIAN_MS and len(counts) == 1 else "NOT MET")
    )
    if profiler is not None:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0 if len(counts) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
