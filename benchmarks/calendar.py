"""The editorial calendar with a busy association: ``python -m benchmarks.calendar``.

A fresh installation (SQLite by default, ``--database-url`` for PostgreSQL) in a temporary
folder; one association with an account on each network, ``--per-day`` posts a day on each
over ``--days`` days centred on today (sent before today, waiting after, with a few failed),
and a posting slot a weekday per account. Then, as a logged-in administrator through Django's
test client (the whole request: middleware, scope, templates), the month view, the week view
and the dashboard (its "days ready" panel) are each requested ``--repeat`` times; the median
time and the number of SQL queries of one request are reported.

The last line is ``calendar_month_ms=<x> calendar_week_ms=<y> dashboard_ms=<z> posts=<n>
queries_month=<q>``; the details are written as JSON into ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def environment(work: Path, database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "RELAIS_VAR_DIR": str(work / "var"),
        "RELAIS_CONTENT_DIR": str(work / "content"),
        "RELAIS_SITE_OUTPUT": str(work / "site" / "output"),
        "RELAIS_SITE_URL": "https://alumni.example.org",
        "RELAIS_CMS_URL": "https://cms.alumni.example.org",
        "RELAIS_COUNTER": "0",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-day", type=int, default=4, help="posts a day on each network")
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="relais-calendar-"))
    os.environ.update(environment(work, args.database_url))
    (work / "var").mkdir()
    try:
        result = run(args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"calendar-{args.per_day}x{args.days}.json").write_text(
        json.dumps(result, indent=2), encoding="utf-8"
    )
    for key, value in result.items():
        if key != "summary":
            print(f"{key}: {value}")
    print(result["summary"])
    return 0


def run(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed
    call_command("migrate", interactive=False, verbosity=0)
    return measure(args)


def measure(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from wagtail.models import Site

    from cms.social.models import Delivery, PostingSlot, SocialAccount
    from syndication.networks import registry

    site = Site.objects.get(is_default_site=True)
    today = timezone.localdate()
    first = today - dt.timedelta(days=args.days // 2)
    started = time.perf_counter()
    rows = []
    for name in registry:
        account = SocialAccount.objects.create(
            site=site, network=name, display_name=f"Alumni {name}", remote_id=f"id-{name}"
        )
        PostingSlot.objects.create(account=account, weekday=1, time=dt.time(9, 0))
        for offset in range(args.days):
            day = first + dt.timedelta(days=offset)
            for n in range(args.per_day):
                when = timezone.make_aware(dt.datetime.combine(day, dt.time(8 + n, 15)))
                past = day < today
                failed = past and (offset * args.per_day + n) % 25 == 0
                state = (
                    Delivery.State.FAILED
                    if failed
                    else (Delivery.State.SENT if past else Delivery.State.PENDING)
                )
                rows.append(
                    Delivery(
                        account=account,
                        item_key=f"actualites/article-{offset}-{n}",
                        network=name,
                        state=state,
                        post_at=when,
                        attempted_at=when if past else None,
                    )
                )
    Delivery.objects.bulk_create(rows, batch_size=2000)
    seeded_s = time.perf_counter() - started
    admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "pw")
    client = Client()
    client.force_login(admin)

    def timed(url: str) -> tuple[float, int]:
        times = []
        queries = 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured.captured_queries)
        return statistics.median(times) * 1000, queries

    month_ms, month_q = timed(f"/admin/calendrier/?site={site.pk}")
    week_ms, week_q = timed(f"/admin/calendrier/?site={site.pk}&view=week")
    dashboard_ms, dashboard_q = timed("/admin/")
    posts = len(rows)
    return {
        "networks": len(registry),
        "posts": posts,
        "posts_per_day_per_network": args.per_day,
        "days": args.days,
        "seeded_s": round(seeded_s, 1),
        "month_ms_median": round(month_ms, 1),
        "month_queries": month_q,
        "week_ms_median": round(week_ms, 1),
        "week_queries": week_q,
        "dashboard_ms_median": round(dashboard_ms, 1),
        "dashboard_queries": dashboard_q,
        "summary": (
            f"calendar_month_ms={month_ms:.0f} calendar_week_ms={week_ms:.0f} "
            f"dashboard_ms={dashboard_ms:.0f} posts={posts} queries_month={month_q}"
        ),
    }


if __name__ == "__main__":
    raise SystemExit(main())
