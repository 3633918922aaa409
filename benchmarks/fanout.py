"""The fan-out: how long one worker takes to post 200 items × 4 networks (X, LinkedIn, Facebook,
Mastodon: 800 posts) to loopback fakes of the networks, and whether each post went out exactly
once.

``python -m benchmarks.fanout`` (also run by ``make bench``):

1. a fresh installation (SQLite by default, ``--database-url`` for PostgreSQL) in a temporary
   folder, ``--associations`` associations (10), each with one account on each of the four
   networks, each account on a fake of its own (its own timeline, where an uncertain post is
   looked for; a shared one would make every look-up page through every association's posts);
   ``--items`` items (200) shared among them, exported and live;
2. the posts planned and queued as publishing does, then one real worker
   (``manage.py relais_worker --queues syndication``) posts them; the clock runs from the moment
   the queued posts are due until the last one is recorded done;
3. three rounds on the same items, each from an empty ledger: **baseline**, one post at a time
   (``RELAIS_DELIVERY_CONCURRENCY=1``: the worker's ``db_worker``, as before the fan-out), every
   answer taking ``--latency`` (0.1 s); **fan-out**, the same with the worker's default
   concurrency (or ``--concurrency``); **faults**, the fan-out with ``--faults`` (30 %) of the
   requests failing: every kind a retry gets through (rate limits, 500 before or after the post,
   resets before or after, timeouts before or after the post: the fake answers after the
   client's 15 s timeout) and slow answers (``slow``: 2 s). The rate-limited answers ask for 2 s
   (Meta's own ask for a minute: a round would then measure Meta's wait).

After each round, every delivery's post is looked for on its fake: ``lost`` counts deliveries
not sent or whose post is not on the network, ``duplicates`` posts of one item made twice on one
account. The last line is ``fanout_posts=<n> fanout_s=<x> fanout_faults_s=<y> duplicates=<d>
lost=<l> baseline_s=<b> baseline_ratio=<b/x>`` (duplicates and lost summed over the rounds),
preceded by the details and written as JSON into ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NETWORKS = ("x", "linkedin", "facebook", "mastodon")
#: What a fake does on a ``timeout`` fault: answer after the client gave up (its timeout is 15 s).
STALL = 16.0
SLOW = 2.0


def environment(work: Path, database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.fanout_settings",
        "RELAIS_VAR_DIR": str(work / "var"),
        "RELAIS_CONTENT_DIR": str(work / "content"),
        "RELAIS_SITE_OUTPUT": str(work / "site" / "output"),
        "RELAIS_SITE_URL": "https://alumni.example.org",
        "RELAIS_CMS_URL": "https://cms.alumni.example.org",
        "RELAIS_TASK_BACKEND": "database",
        "RELAIS_COUNTER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("RELAIS_DELIVERY_CONCURRENCY", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--associations", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per answer")
    parser.add_argument("--faults", type=float, default=0.3, help="share of requests failing")
    parser.add_argument("--concurrency", type=int, default=0, help="0: the worker's default")
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-at-a-time round")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=f"relais-fanout-{args.items}-"))
    os.environ.update(environment(work, args.database_url))
    (work / "var").mkdir()
    try:
        result = run(work, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"fanout-{args.items}.json").write_text(json.dumps(result, indent=2), "utf-8")
    for key, value in result.items():
        if key != "summary":
            print(f"{key}: {value}")
    print(result["summary"])
    return 0


def run(work: Path, args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    bench = Fanout(work, args)
    try:
        return bench.measure()
    finally:
        bench.close()


class Fanout:
    def __init__(self, work: Path, args: argparse.Namespace):
        from syndication.testing.fakes import FAKES

        self.work, self.args = work, args
        # one fake per account: each account's own timeline, where a post is looked for
        self.fakes = {
            (n, network): FAKES[network](stall=STALL, slow=SLOW, latency=args.latency)
            for n in range(args.associations)
            for network in NETWORKS
        }
        for fake in self.fakes.values():
            fake.rate_limit_wait = 2
            fake.start()
        self.pages: list = []

    def close(self) -> None:
        for fake in self.fakes.values():
            fake.stop()

    def measure(self) -> dict:
        started = time.perf_counter()
        self.make_associations_and_items()
        print(f"{len(self.pages)} items live in {time.perf_counter() - started:.1f} s", flush=True)
        concurrency = str(self.args.concurrency or "")
        rounds = {}
        if not self.args.no_baseline:
            rounds["baseline"] = self.round("baseline", "1", faults=0.0)
        rounds["fanout"] = self.round("fanout", concurrency, faults=0.0)
        rounds["faults"] = self.round("faults", concurrency, faults=self.args.faults)
        duplicates = sum(r["duplicates"] for r in rounds.values())
        lost = sum(r["lost"] for r in rounds.values())
        summary = (
            f"fanout_posts={rounds['fanout']['posts']} fanout_s={rounds['fanout']['seconds']:.1f} "
            f"fanout_faults_s={rounds['faults']['seconds']:.1f} duplicates={duplicates} lost={lost}"
        )
        if "baseline" in rounds:
            base = rounds["baseline"]["seconds"]
            summary += (
                f" baseline_s={base:.1f} baseline_ratio={base / rounds['fanout']['seconds']:.1f}"
            )
        return {**rounds, "summary": summary}

    # -- the installation -----------------------------------------------------------------------

    def make_associations_and_items(self) -> None:
        from django.utils import timezone

        from cms.associations.creation import NewAssociation, create_association
        from cms.content.models import AlumniNewsPage, SectionIndexPage
        from cms.federation.models import Association
        from cms.publishing import export
        from cms.publishing.signal_handlers import suspended
        from cms.social.models import SocialAccount
        from syndication.testing.fakes import credentials_for

        federation = create_association(
            NewAssociation(name="Fédération", slug="federation", kind=Association.Kind.FEDERATION)
        )
        remote_ids = {
            "x": lambda f: f.user_id,
            "linkedin": lambda f: f.author,
            "facebook": lambda f: f.page_id,
            "mastodon": lambda f: f"{f.account_id}@{f.url.split('//')[1]}",
        }
        per = -(-self.args.items // self.args.associations)
        for n in range(self.args.associations):
            association = create_association(
                NewAssociation(name=f"Association {n:02d}", parent=federation)
            )
            site = association.site
            for network in NETWORKS:
                fake = self.fakes[(n, network)]
                account = SocialAccount(
                    site=site,
                    network=network,
                    display_name=f"Association {n:02d} {network}",
                    remote_id=remote_ids[network](fake),
                    base_url=fake.url,
                    client_options={"auth_base_url": fake.url} if network == "linkedin" else {},
                )
                account.set_credentials(credentials_for(fake))
                account.save()
            index = SectionIndexPage.objects.descendant_of(site.root_page).get(section="actualites")
            count = min(per, self.args.items - len(self.pages))
            with suspended():  # exported below, without the queue
                for i in range(count):
                    page = AlumniNewsPage(
                        title=f"Rencontre {i} de l'association {n:02d}",
                        slug=f"rencontre-{n:02d}-{i:03d}",
                        summary=f"Les anciens de l'association {n:02d} se retrouvent ({i}).",
                    )
                    index.add_child(instance=page)
                    page.save_revision().publish()
                    self.pages.append(page)
        now = timezone.now()
        for page in self.pages:
            record = export.export_page(page)
            record.live_at = record.first_live_at = now  # as the build would: the item is live
            record.save(update_fields=["live_at", "first_live_at"])

    # -- one round ------------------------------------------------------------------------------

    def reset(self, faults: float) -> None:
        """An empty ledger, queue and budgets; the fakes forget their posts."""
        from django_tasks_db.models import DBTaskResult

        from cms.core.models import RateCounter
        from cms.social.models import Delivery
        from syndication.testing.fakes import RANDOM_FAULTS

        Delivery.objects.all().delete()
        DBTaskResult.objects.all().delete()
        RateCounter.objects.all().delete()
        for seed, fake in enumerate(self.fakes.values()):
            with fake.lock:
                fake.posts.clear()
                fake.requests.clear()
            fake.faults.clear()
            fake.faults.injected.clear()
            if faults:
                fake.faults.randomize(faults, seed=seed, kinds=(*RANDOM_FAULTS, "slow"))

    def queue_posts(self) -> list[int]:
        """The posts planned as publishing plans them, queued for a far time (made due when the
        worker is ready)."""
        import datetime as dt

        from django.utils import timezone

        from cms.publishing.models import ExportRecord
        from cms.social.planning import plan
        from cms.social.tasks import deliver_task

        later = deliver_task.using(run_after=timezone.now() + dt.timedelta(days=1))
        live = ExportRecord.objects.filter(page_id__in=[p.pk for p in self.pages])
        records = {r.page_id: r for r in live}
        ids = []
        for page in self.pages:
            for delivery in plan(page, records[page.pk]):
                later.enqueue(delivery.pk)
                ids.append(delivery.pk)
        return ids

    def start_worker(self, name: str, concurrency: str) -> tuple[subprocess.Popen, Path]:
        env = dict(os.environ)
        if concurrency:
            env["RELAIS_DELIVERY_CONCURRENCY"] = concurrency
        log = self.work / f"worker-{name}.log"
        command = ["manage.py", "relais_worker", "--no-clock", "--interval", "0.1"]
        proc = subprocess.Popen(
            [sys.executable, *command, "--queues", "syndication"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while "Recovered" not in log.read_text() and "Queue syndication" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        time.sleep(1.0)  # past its recovery, polling the queue
        return proc, log

    def round(self, name: str, concurrency: str, faults: float) -> dict:
        from django.db.models import Max
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from cms.social.models import Delivery

        print(
            f"Round {name}: concurrency {concurrency or 'default'}, faults {faults:.0%}…",
            flush=True,
        )
        self.reset(faults)
        ids = self.queue_posts()
        proc, log = self.start_worker(name, concurrency)
        try:
            start = timezone.now()
            DBTaskResult.objects.update(run_after=start)
            limit = 3600
            deadline = time.monotonic() + limit
            open_states = ["pending", "sending", "needs_check"]
            while Delivery.objects.filter(state__in=open_states).exists():
                if proc.poll() is not None:
                    raise RuntimeError(f"The worker stopped:\n{log.read_text()[-3000:]}")
                if time.monotonic() > deadline:
                    print(f"Round {name}: not finished after {limit} s", flush=True)
                    break
                time.sleep(0.2)
            last = Delivery.objects.aggregate(t=Max("updated_at"))["t"]
            seconds = (last - start).total_seconds()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        outcome = self.check(ids)
        injected = {}
        for fake in self.fakes.values():
            for kind, count in fake.faults.injected.items():
                injected[kind] = injected.get(kind, 0) + count
        result = {
            "seconds": round(seconds, 1),
            "posts_per_s": round(outcome["posts"] / seconds, 1) if seconds else 0,
            **outcome,
            "faults_injected": injected,
            "requests": sum(len(f.requests) for f in self.fakes.values()),
        }
        print(f"Round {name}: {result}", flush=True)
        return result

    def check(self, ids: list[int]) -> dict:
        """Every delivery's post on its network, once."""
        from cms.social.models import Delivery
        from syndication.text import without_utm

        deliveries = list(Delivery.objects.filter(pk__in=ids).select_related("account"))
        on_network = {f.url: {p["id"] for p in f.posts} for f in self.fakes.values()}
        sent = [d for d in deliveries if d.state == "sent"]
        lost = len(deliveries) - len(sent)
        lost += sum(1 for d in sent if d.remote_id not in on_network[d.account.base_url])
        duplicates = 0
        for fake in self.fakes.values():
            links = [without_utm(link) for link in fake.published_links()]
            duplicates += len(links) - len(set(links))
        return {
            "posts": len(deliveries),
            "sent": len(sent),
            "failed": sum(1 for d in deliveries if d.state == "failed"),
            "duplicates": duplicates,
            "lost": lost,
        }


if __name__ == "__main__":
    sys.exit(main())
