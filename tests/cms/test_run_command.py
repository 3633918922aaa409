"""`make run` for real: the run command in a subprocess with its own SQLite database, the
database queue and its worker; an item published through Wagtail's API reaches the static site
through the queue."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support import ROOT, free_port

#: The export record of the item published by the test, with its page and the build that put it
#: live, as JSON (run in the product's environment).
REPORT = """\
import json
import django

django.setup()
from wagtail.models import Page
from cms.publishing.models import BuildRecord, ExportRecord

r = ExportRecord.objects.get(path="actualites/publie-par-la-file.md")
builds = BuildRecord.objects.filter(finished_at=r.live_at, content_version__gte=r.content_version)
print(json.dumps({
    "published_at": r.published_at.isoformat(),
    "page_published_at": Page.objects.get(pk=r.page_id).last_published_at.isoformat(),
    "live_at": r.live_at and r.live_at.isoformat(),
    "seconds": r.publish_to_live_seconds,
    "live_builds": list(builds.values_list("status", flat=True)) if r.live_at else [],
}))
"""


def export_report(env: dict[str, str]) -> dict:
    report = subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(report.stdout.strip().splitlines()[-1])


def wait_for(url: str, timeout: float = 120) -> requests.Response:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            response = requests.get(url, timeout=5)
            if response.status_code < 500:
                return response
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {timeout} s: {last}")


def test_run_command_serves_admin_site_and_worker(tmp_path: Path):
    admin_port, site_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "RELAIS_VAR_DIR": str(tmp_path / "var"),
        "RELAIS_CONTENT_DIR": str(tmp_path / "content"),
        "RELAIS_SITE_OUTPUT": str(tmp_path / "site" / "output"),
        "RELAIS_SITE_URL": f"http://127.0.0.1:{site_port}",
        "RELAIS_CMS_URL": f"http://127.0.0.1:{admin_port}",
        "RELAIS_TASK_BACKEND": "database",
        "RELAIS_SERVE_QUIET": "1",
    }
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "run.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_relais",
            "--admin-port",
            str(admin_port),
            "--site-port",
            str(site_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        home = wait_for(f"http://127.0.0.1:{site_port}/", timeout=240)
        assert home.status_code == 200 and "ENILC Alumni" in home.text
        assert wait_for(f"http://127.0.0.1:{admin_port}/admin/login/").status_code == 200
        assert wait_for(f"http://127.0.0.1:{admin_port}/adherer/").status_code == 200
        content = tmp_path / "content"
        # the demo's 30 items, and the pooled survey the association adopted
        assert len([p for p in content.glob("*/*.md") if p.parent.name != "pages"]) == 31
        assert (content / "pages" / "mentions-legales.md").exists()
        # the federation's other associations, served under their folders
        for folder in ("federation", "union-rhone-alpes", "alumni-estv", "ingenieurs-isml"):
            assert (content / folder / "site.yaml").is_file()
            page = wait_for(f"http://127.0.0.1:{site_port}/{folder}/")
            assert page.status_code == 200, folder
        assert "Alumni ESTV (démo)" in wait_for(f"http://127.0.0.1:{site_port}/alumni-estv/").text
        text = (tmp_path / "run.log").read_text()
        assert "login: admin / relais-demo" in text
        assert f"site http://127.0.0.1:{site_port}/alumni-estv/" in text

        # Publish one more item from another process: the queued export and build run in the
        # worker that `run` started.
        script = (
            "import django; django.setup()\n"
            "from wagtail.models import Site\n"
            "from cms.content.models import SectionIndexPage, AlumniNewsPage\n"
            "site = Site.objects.get(is_default_site=True)\n"
            "index = SectionIndexPage.of(site, 'actualites')\n"
            "page = AlumniNewsPage(title='Publié par la file', slug='publie-par-la-file',"
            " summary='Via le worker.')\n"
            "index.add_child(instance=page)\n"
            "page.save_revision().publish()\n"
        )
        before = dt.datetime.now(dt.UTC)
        published = time.monotonic()
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120)
        url = f"http://127.0.0.1:{site_port}/actualites/publie-par-la-file/"
        deadline = time.monotonic() + 60
        while requests.get(url, timeout=5).status_code != 200:
            assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()[-3000:]
            time.sleep(0.2)
        # The page is served once the new tree is switched in; the build then records its end
        # and marks the item live.
        while (record := export_report(env))["live_at"] is None:
            assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()[-3000:]
            time.sleep(0.2)
        after = dt.datetime.now(dt.UTC)
        at = {k: dt.datetime.fromisoformat(v) for k, v in record.items() if k.endswith("_at")}
        # What publish-to-live records: the page's own CMS publication, then the end of the
        # successful build holding its content that put it live, both within what this test saw.
        assert at["published_at"] == at["page_published_at"]
        assert before <= at["published_at"] <= at["live_at"] <= after
        assert record["live_builds"] == ["succeeded"]
        seconds = record["seconds"]
        assert seconds == (at["live_at"] - at["published_at"]).total_seconds()
        print(
            f"publish-to-live through the database queue and the worker: {seconds:.2f} s "
            f"(CMS publication to the new site being live; {time.monotonic() - published:.2f} s "
            "from this test's point of view, Django start-up of the publishing script "
            "included)"
        )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    # Stopped by SIGTERM (as a service manager stops it): it stops its servers and worker and
    # exits cleanly, without being killed.
    assert proc.returncode == 0, (tmp_path / "run.log").read_text()[-3000:]
