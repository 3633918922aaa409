"""The recovery's steps one by one, in this process: which workers are dead, what their tasks
and builds become, how the CMS and ``content/`` are put back in step, what the admin says."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import Page

from cms.core.models import AssociationSettings
from cms.publishing import export, recovery
from cms.publishing.models import BuildRecord, ExportRecord, SiteState, Worker
from cms.publishing.recovery import recover
from cms.publishing.signal_handlers import suspended
from cms.publishing.tasks import export_page_task, withdraw_page_task
from cms.publishing.workers import Liveness, machine_id
from relais.contentfile import load_file
from tests.cms.factories import make_item

HOUR = dt.timedelta(hours=1)


def finished_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(out.stdout)


def worker(name: str, *, here: bool = False, pid: int | None = None, silent: bool = False):
    now = timezone.now()
    return Worker.objects.create(
        id=name,
        host="ici" if here else "ailleurs",
        machine=machine_id() if here else "another-machine",
        pid=pid or os.getppid(),  # a process that runs
        heartbeat_at=now - HOUR if silent else now,
    )


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.RELAIS_QUEUES},
    }


def test_a_worker_is_dead_when_silent_or_when_its_process_is_gone_here(db):
    worker("alive-here", here=True)
    worker("gone-here", here=True, pid=finished_pid())
    worker("pid-reused-here", here=True, pid=os.getpid())  # its process id is now this one's
    worker("silent-elsewhere", silent=True)
    worker("alive-elsewhere", pid=finished_pid())  # another machine's pid means nothing here
    liveness = Liveness()
    assert {w.pk for w in liveness.dead()} == {"gone-here", "pid-reused-here", "silent-elsewhere"}
    assert {w.pk for w in liveness.alive()} == {"alive-here", "alive-elsewhere"}
    # a process that never registered (a db_worker started by hand) is judged by age only
    assert not liveness.is_dead("by-hand", timezone.now() - dt.timedelta(minutes=5))
    assert liveness.is_dead("by-hand", timezone.now() - 7 * HOUR)


def test_tasks_left_running_by_a_dead_worker_are_closed_and_enqueued_again(
    site_tree, database_queue, monkeypatch
):
    page, other = make_item(site_tree), make_item(site_tree, title="Autre", slug="autre")
    dead, alive = worker("dead", silent=True), worker("alive")

    def running(job, worker, *args):
        result = DBTaskResult.objects.get(pk=job.enqueue(*args).id)
        result.claim(worker.pk)
        return result

    abandoned = running(export_page_task, dead, page.pk)
    busy = running(export_page_task, alive, other.pk)
    monkeypatch.delitem(recovery.RERUNNABLE, withdraw_page_task.module_path)
    not_rerunnable = running(withdraw_page_task, dead, other.pk)

    assert recover()["rerun_abandoned_tasks"] == 2
    abandoned.refresh_from_db()
    assert abandoned.status == TaskResultStatus.FAILED
    assert abandoned.exception_class_path.endswith("WorkerStopped")
    assert "Worker dead stopped" in abandoned.traceback
    ready = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=abandoned.task_path
    )
    again = ready.get()
    assert again.args_kwargs == abandoned.args_kwargs  # the same arguments
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING  # its worker is alive: left alone
    not_rerunnable.refresh_from_db()
    assert not_rerunnable.status == TaskResultStatus.FAILED
    assert "not run again" in not_rerunnable.traceback
    # twice is harmless: nothing more is enqueued, and the dead worker is forgotten
    assert recover()["rerun_abandoned_tasks"] == 0
    assert ready.count() == 1
    assert not Worker.objects.filter(pk="dead").exists()


def test_the_cms_and_content_are_put_back_in_step(
    site_tree, content_dir, site_output, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gala = make_item(site_tree, title="Gala", slug="gala")
        prix = make_item(site_tree, title="Prix", slug="prix")
        make_item(site_tree, title="Sortie", slug="sortie")
    # what workers killed mid-export leave: publications that never reached content/
    with suspended():
        draft = gala.get_latest_revision_as_object()
        draft.title = "Gala : le programme"
        draft.save_revision().publish()
        Page.objects.get(pk=prix.pk).specific.unpublish()
    (content_dir / "actualites" / "sortie.md").unlink()
    AssociationSettings.objects.filter(site=site_tree["site"]).update(tagline="Nouveau slogan")
    assert export.pages_behind(site_tree["site"], check_files=True) == (
        [gala.pk, gala.pk + 2],
        [prix.pk],
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert recover()["reconcile_content"] == 4  # two exports, a withdrawal, site.yaml
    assert load_file(content_dir / "actualites" / "gala.md").title == "Gala : le programme"
    assert not (content_dir / "actualites" / "prix.md").exists()
    assert (content_dir / "actualites" / "sortie.md").exists()
    assert "Nouveau slogan" in (content_dir / "site.yaml").read_text()
    html = (site_output / "actualites" / "gala" / "index.html").read_text()
    assert "Gala : le programme" in html
    # the withdrawn item's address says so (its address was published: it never answers 404)
    assert "Article retiré" in (site_output / "actualites" / "prix" / "index.html").read_text()
    assert ExportRecord.objects.get(page_id=prix.pk).withdrawn
    state = SiteState.get(site_tree["site"])
    assert state.built_version == state.content_version
    # nothing more to do; a site.yaml edited by hand is not the CMS's to overwrite
    (content_dir / "site.yaml").write_text("name: Écrit à la main\n", encoding="utf-8")
    assert recover()["reconcile_content"] == 0
    assert (content_dir / "site.yaml").read_text(encoding="utf-8") == "name: Écrit à la main\n"


def test_a_build_left_running_by_a_dead_worker_is_closed_and_done_again(
    site_tree, site_output, admin_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export.export_site_config(site_tree["site"])
        page = make_item(site_tree)
    dead = worker("dead", here=True, pid=finished_pid())
    # the dead worker exported a new title, then died while building it
    with suspended():
        draft = page.get_latest_revision_as_object()
        draft.title = "Nomination de Léa Martin, directrice"
        draft.save_revision().publish()
    export.export_page(Page.objects.get(pk=page.pk).specific)
    stuck = BuildRecord.objects.create(
        site=site_tree["site"], trigger="publication", worker=dead.pk
    )
    client.force_login(admin_user)
    assert "en cours depuis" in client.get("/admin/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = recover()
    assert done["close_abandoned_builds"] == 1 and done["reconcile_content"] == 0
    assert done["resume_builds"] == 1  # the content the dead worker exported goes live
    stuck.refresh_from_db()
    assert stuck.status == BuildRecord.Status.ABANDONED and stuck.finished_at
    assert "dead s'est arrêté pendant la construction" in stuck.errors
    assert BuildRecord.objects.first().status == BuildRecord.Status.SUCCEEDED
    html = (site_output / "actualites" / "nomination-lea-martin" / "index.html").read_text()
    assert "Nomination de Léa Martin, directrice" in html
    assert ExportRecord.objects.get(page_id=page.pk).live_at is not None
    status = client.get("/admin/site/").content.decode()
    assert "interrompue" in status and "en cours" not in status
    assert "Site à jour" in client.get("/admin/").content.decode()


def test_a_build_of_a_live_worker_is_left_alone(site_tree, site_output):
    alive = worker("alive")
    build = BuildRecord.objects.create(
        site=site_tree["site"], trigger="publication", worker=alive.pk
    )
    done = recover()
    assert done["close_abandoned_builds"] == 0 and done["resume_builds"] == 0
    build.refresh_from_db()
    assert build.status == BuildRecord.Status.RUNNING


def test_the_admin_says_what_waits_and_that_no_worker_runs(
    site_tree, admin_user, client, database_queue
):
    page = make_item(site_tree)  # queued, never exported: no worker runs
    client.force_login(admin_user)
    status = client.get("/admin/site/").content.decode()
    assert "Aucun worker ne tourne" in status
    assert "1 page publiée attend son export" in status and page.title in status
    dashboard = client.get("/admin/").content.decode()
    assert "Site à jour" not in dashboard
    worker("alive")
    status = client.get("/admin/site/").content.decode()
    assert "Aucun worker ne tourne" not in status and "1 worker en marche" in status


def test_a_build_published_but_not_recorded_live_is_done_again_a_failed_one_waits(
    site_tree, site_output, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export.export_site_config(site_tree["site"])
        make_item(site_tree)
    with suspended():
        page = make_item(site_tree, title="Sortie à Lyon", slug="sortie-a-lyon")
    export.export_page(Page.objects.get(pk=page.pk).specific)  # with its live revision
    version = SiteState.get(site_tree["site"]).content_version
    # a build failed on this content: the content must be fixed first, nothing is retried
    failed = BuildRecord.objects.create(
        site=site_tree["site"],
        content_version=version,
        status=BuildRecord.Status.FAILED,
        errors="title manquant",
    )
    assert recover()["resume_builds"] == 0
    # a build published it, then its worker died before recording it live
    failed.delete()
    BuildRecord.objects.create(
        site=site_tree["site"], content_version=version, status=BuildRecord.Status.SUCCEEDED
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert recover()["resume_builds"] == 1
    assert ExportRecord.objects.get(page_id=page.pk).live_at is not None
    assert SiteState.get(site_tree["site"]).built_version == version


def test_a_built_site_whose_live_tree_was_lost_is_rebuilt_whole(
    site_tree, site_output, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export.export_site_config(site_tree["site"])
        page = make_item(site_tree)
    page_html = site_output / "actualites" / page.slug / "index.html"
    assert page_html.exists()
    assert recover()["resume_builds"] == 0  # all there: nothing to do
    # the machine's site/ is lost (a new machine, a disk replaced): content/ and the database
    # are still there
    shutil.rmtree(site_output.parent)
    with django_capture_on_commit_callbacks(execute=True):
        assert recover()["resume_builds"] == 1
    assert page_html.exists() and page.title in page_html.read_text()
    build = BuildRecord.objects.order_by("-pk").first()
    assert build.kind == "full" and build.trigger == "site en ligne introuvable, reconstruction"
    assert build.status == BuildRecord.Status.SUCCEEDED
    assert recover()["resume_builds"] == 0


def test_a_site_deployed_to_object_storage_is_not_rebuilt_for_its_local_tree(
    site_tree, site_output, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export.export_site_config(site_tree["site"])
        make_item(site_tree)
    settings.RELAIS_DEPLOY = "s3"
    settings.RELAIS_S3 = {
        **settings.RELAIS_S3,
        "bucket": "alumni",
        "endpoint_url": "http://127.0.0.1:9",
    }
    shutil.rmtree(site_output.parent)
    assert recover()["resume_builds"] == 0
