"""How many queries and how long UNSD's dashboard takes for a full round.

    python -m bench.dashboard --countries 200 [--renders 20]

Settings come from the environment, as for the tests; the data are bench.export's (a round of
synthetic answers in the benchmark's own database, generated on first use). Renders the
dashboard as a UNSD reviewer and prints, last: `queries=... ms_median=...`. The query count
must not depend on the number of countries (tests/consolidation/test_desk_pages.py asserts it).
The cache is this process's memory: a shared Redis database emptied by another checkout's run
would make a render rebuild the questionnaire's definition (7 queries more).
"""

import argparse
import statistics
import sys
from pathlib import Path

from bench.export import ensure_round_data
from bench.render_section import (
    ROUND_CODE,
    create_database,
    load_questionnaire,
    positive,
    render,
    setup_django,
)

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--countries", type=positive, default=200)
    parser.add_argument("--renders", type=positive, default=20)
    options = parser.parse_args(argv)

    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    create_database()
    static_storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        # One process: a cache of its own, which no other checkout's benchmark can empty.
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        STORAGES={**settings.STORAGES, "staticfiles": static_storage},
    ):
        from consultation.models import Round
        from responses.models import Membership

        load_questionnaire()
        round_ = Round.objects.get(code=ROUND_CODE)
        ensure_round_data(round_, options.countries)
        user, _created = get_user_model().objects.get_or_create(
            username="bench-reviewer", defaults={"email": "bench-reviewer@un.org"}
        )
        Membership.objects.get_or_create(user=user, role=Membership.Role.UNSD_REVIEWER)
        client = Client()
        client.force_login(user)
        url = f"/unsd/?round={ROUND_CODE}"
        render(client, url)  # warm up: definition cache, templates, connection
        times, counts = [], set()
        for _n in range(options.renders):
            elapsed, queries, html = render(client, url)
            times.append(elapsed)
            counts.add(queries)
    print(f"countries           {options.countries}")
    print(f"renders             {options.renders}")
    print(f"HTML size           {len(html):,} bytes")
    print(f"queries={'/'.join(map(str, sorted(counts)))} ms_median={statistics.median(times):.1f}")
    return 0 if len(counts) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
