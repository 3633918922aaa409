"""The federation at scale: many associations of many items on one installation, and one pooled
item adopted by all of them.

``python -m benchmarks.federation --sites 100 --items 500`` (``make bench SITES=100``):

1. a fresh installation (SQLite by default, ``--database-url`` for PostgreSQL) in a temporary
   folder; the federation and ``--sites`` associations made by the creation service (the time
   each takes is reported: an association is meant to be made in well under a minute);
2. each association's content folder filled with the same generated corpus of ``--items``
   items (hard links of one ``benchmarks.corpus``), then every site built once by the workers;
3. two real workers (``manage.py relais_worker``, ``RELAIS_WARM_BUILDERS`` warm sites each, as
   deployed), the federation publishes an item shared with every association, and every
   association adopts it through the pool's own action; the clock runs from the first adoption
   until the last association's site shows the copy (its export record is live);
4. the cold start of a site: a new builder adopting a live site of ``--items`` items.

The last line is ``pooled_live_all_sites_s=<x> sites=<n> peak_mb=<m>`` (``peak_mb``: the larger
peak resident memory of the two workers), preceded by the details and written as JSON into
``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def peak_mb(pid: int) -> float:
    """The peak resident memory of a running process (Linux ``VmHWM``), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """The processor time a running process and its waited-for children (Pagefind) used so
    far (user and system), in seconds: unlike the clock, it does not grow with the load that
    other jobs put on the machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # after the name: state is field 3, utime/stime/cutime/cstime are fields 14 to 17
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def environment(work: Path, database_url: str, warm: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "RELAIS_VAR_DIR": str(work / "var"),
        "RELAIS_CONTENT_DIR": str(work / "content"),
        "RELAIS_SITE_OUTPUT": str(work / "site" / "output"),
        "RELAIS_SITE_URL": "https://alumni.example.org",
        "RELAIS_CMS_URL": "https://cms.alumni.example.org",
        "RELAIS_TASK_BACKEND": "database",
        "RELAIS_WARM_BUILDERS": str(warm),
        "RELAIS_COUNTER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--warm", type=int, default=8, help="warm builders per worker")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=f"relais-federation-{args.sites}x{args.items}-"))
    os.environ.update(environment(work, args.database_url, args.warm))
    (work / "var").mkdir()
    try:
        result = run(work, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"federation-{args.sites}x{args.items}.json").write_text(
        json.dumps(result, indent=2), encoding="utf-8"
    )
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
    return Federation(work, args).measure()


class Federation:
    def __init__(self, work: Path, args: argparse.Namespace):
        self.work, self.args = work, args
        self.workers: list[subprocess.Popen] = []

    def measure(self) -> dict:

        created = self.make_associations()
        corpus_s = self.fill_content()
        try:
            self.start_workers()
            first_builds_s = self.wait_for_first_builds()
            cpu_before = sum(cpu_seconds(p.pid) for p in self.workers)
            load_before = os.getloadavg()[0]
            adopt_s, live_s, from_last_adoption_s = self.pool_and_adopt()
            pooled_cpu_s = sum(cpu_seconds(p.pid) for p in self.workers) - cpu_before
            load_after = os.getloadavg()[0]
            peaks = [peak_mb(p.pid) for p in self.workers]
        finally:
            self.stop_workers()
        cold, cold_cpu = self.cold_starts()
        sites = self.members().count()
        return {
            "sites": sites,
            "items_per_site": self.args.items,
            "association_created_s_median": round(statistics.median(created), 3),
            "association_created_s_max": round(max(created), 3),
            "content_generated_s": round(corpus_s, 1),
            "first_builds_all_sites_s": round(first_builds_s, 1),
            "adoptions_s": round(adopt_s, 1),
            "live_after_last_adoption_s": round(from_last_adoption_s, 1),
            # what the two workers spent on the pooled item (processor time, Pagefind included)
            "pooled_workers_cpu_s": round(pooled_cpu_s, 1),
            "pooled_workers_cpu_s_per_site": round(
                pooled_cpu_s / max(1, self.members().count()), 3
            ),
            "load_average_before_after": [round(load_before, 1), round(load_after, 1)],
            "cold_site_adopt_s_median": round(statistics.median(cold), 3),
            "cold_site_adopt_s_max": round(max(cold), 3),
            "cold_site_adopt_cpu_s_median": round(statistics.median(cold_cpu), 3),
            "workers_peak_mb": [round(p) for p in peaks],
            "summary": (
                f"pooled_live_all_sites_s={live_s:.1f} sites={sites} peak_mb={max(peaks):.0f}"
            ),
        }

    # -- 1. the associations ------------------------------------------------------------------

    def make_associations(self) -> list[float]:
        from cms.associations.creation import NewAssociation, create_association
        from cms.federation.models import Association

        print(f"Creating the federation and {self.args.sites} associations…", flush=True)
        federation = create_association(
            NewAssociation(name="Fédération", slug="federation", kind=Association.Kind.FEDERATION)
        )
        times = []
        for n in range(self.args.sites):
            started = time.perf_counter()
            create_association(NewAssociation(name=f"Association {n:03d}", parent=federation))
            times.append(time.perf_counter() - started)
        return times

    @staticmethod
    def members():
        from cms.federation.models import Association

        return Association.objects.filter(parent__slug="federation")

    # -- 2. their content, built once -----------------------------------------------------------

    def fill_content(self) -> float:

        started = time.perf_counter()
        corpus = self.work / "corpus"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.corpus",
                "--n",
                str(self.args.items),
                "--out",
                str(corpus),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        for association in self.members():
            target = association.content_dir
            for folder in corpus.iterdir():
                if folder.is_dir():
                    shutil.copytree(
                        folder, target / folder.name, copy_function=os.link, dirs_exist_ok=True
                    )
        return time.perf_counter() - started

    def start_workers(self) -> None:
        queues = "publishing,syndication,maintenance,rebuilds"
        for n in range(2):
            log = (self.work / f"worker-{n}.log").open("w")
            self.workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "manage.py",
                        "relais_worker",
                        "--queues",
                        queues,
                        "--interval",
                        "0.1",
                        *(["--no-clock"] if n else []),
                    ],
                    cwd=ROOT,
                    env=os.environ.copy(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()

    def wait_for_first_builds(self) -> float:
        from cms.publishing.models import BuildRecord
        from cms.publishing.tasks import build_site_task

        started = time.perf_counter()
        # (the members only: the installation's first site, made at migrate, has no items)
        sites = list(self.members().values_list("site_id", flat=True))
        for site_id in sites:
            build_site_task.enqueue(site_id, "benchmark: first build", force=True)
        print(f"First builds of {len(sites)} sites of {self.args.items} items…", flush=True)
        self._wait(
            lambda: (
                BuildRecord.objects.filter(
                    site_id__in=sites, status=BuildRecord.Status.SUCCEEDED, articles__gte=1
                )
                .order_by()
                .values("site_id")
                .distinct()
                .count()
                >= len(sites)
            ),
            timeout=6 * 3600,
        )
        # and whatever the creation of the associations queued (their settings' exports and
        # builds): the pooled item is measured on an idle installation
        self._wait(self.queue_is_idle, timeout=6 * 3600)
        return time.perf_counter() - started

    @staticmethod
    def queue_is_idle() -> bool:
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        return not DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).exists()

    # -- 3. the pooled item ---------------------------------------------------------------------

    def pool_and_adopt(self) -> tuple[float, float, float]:
        from django.contrib.auth.models import User
        from wagtail.rich_text import RichText

        from cms.content.models import AlumniNewsPage, SectionIndexPage
        from cms.federation.models import Association
        from cms.pool import adoption
        from cms.pool.models import Offer, Share
        from cms.publishing.models import ExportRecord

        admin = User.objects.create_superuser("bench", "bench@example.org", "bench")
        federation = Association.objects.get(slug="federation")
        index = SectionIndexPage.objects.child_of(federation.site.root_page).get(
            section="actualites"
        )
        page = AlumniNewsPage(
            title="Enquête nationale sur la situation des ingénieurs",
            slug="enquete-nationale",
            summary="Répondez à l'enquête de la fédération.",
            body=[("paragraph", RichText("<p>Chaque réponse compte.</p>"))],
        )
        index.add_child(instance=page)
        Share.objects.create(page=page, mode=Share.Mode.ALL)
        page.save_revision(user=admin).publish(user=admin)
        offers = list(Offer.objects.filter(original=page).select_related("association"))
        print(f"{len(offers)} associations adopt the pooled item…", flush=True)
        started = time.perf_counter()
        copies = [adoption.adopt(offer, admin).pk for offer in offers]
        adopted = time.perf_counter()
        self._wait(
            lambda: (
                ExportRecord.objects.filter(page_id__in=copies, live_at__isnull=False).count()
                >= len(copies)
            ),
            timeout=3600,
        )
        done = time.perf_counter()
        return adopted - started, done - started, done - adopted

    # -- 4. a cold site ----------------------------------------------------------------------------

    def cold_starts(self) -> tuple[list[float], list[float]]:
        """A new builder adopting the live site of five associations: clock and processor
        times (the first one also imports the builder's code)."""
        from relais.incremental import SiteBuilder

        times, cpu = [], []
        for association in self.members()[:5]:
            builder = SiteBuilder(association.paths, SITEURL=association.public_url)
            started, started_cpu = time.perf_counter(), time.process_time()
            kind = builder.warm_up().kind
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            if kind != "adopted":
                print(f"warning: {association} was {kind}, not adopted", flush=True)
        return times, cpu

    def _wait(self, condition, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            for n, proc in enumerate(self.workers):
                if proc.poll() is not None:
                    log = (self.work / f"worker-{n}.log").read_text()[-3000:]
                    raise SystemExit(f"Worker {n} stopped:\n{log}")
            if time.monotonic() > deadline:
                raise SystemExit("The benchmark did not finish in time.")
            time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
