"""Nothing is lost when a worker dies: a real ``relais_worker`` process is killed (SIGKILL, no
clean-up of any kind) at an exact point of each phase — an export, a build, a post on a
network — then a new worker starts, and the test checks what the issue asked for: the static
site shows what the CMS has live, nothing was posted twice, nothing is missing, no task is left
running, no build "en cours", no orphan tree in ``site/builds/``.

The worker runs the database queue on the test's SQLite file (or PostgreSQL); a
``sitecustomize`` of ``tests/cms/killpoints`` stops it where the test wants it."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import Page

from cms.content.models import ItemPage
from cms.publishing.models import BuildRecord, ExportRecord, SiteState
from cms.social.models import Delivery
from relais.addresses import FILENAME as ADDRESS_BOOK
from relais.contentfile import load_file
from relais.output_store import OutputStore
from relais.sections import SECTIONS
from syndication.testing.fakes import FakeMastodon
from syndication.text import without_utm
from tests.cms.factories import make_item
from tests.cms.workers import WorkerProcess, wait_until
from tests.social.support import make_account

TIMEOUT = 90


def edit_as_editors_do(tree: dict) -> None:
    """A title changed, an item added, an item unpublished: three tasks for the worker."""
    draft = tree["a"].get_latest_revision_as_object()
    draft.title = "Gala annuel : le programme"
    draft.save_revision().publish()
    tree["c"] = make_item(tree, title="Rencontre à Lyon", slug="rencontre-a-lyon")
    Page.objects.get(pk=tree["b"].pk).specific.unpublish()
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert sorted(r.task_path.rsplit(".", 1)[1] for r in queued) == [
        "export_page_task",
        "export_page_task",
        "withdraw_page_task",
    ]


# -- what must hold after the restart -------------------------------------------------------------


def built_items(output: Path) -> dict[str, str]:
    """The item pages of the static site: ``section/slug`` -> the title they show."""
    found = {}
    for section in SECTIONS:
        for page in sorted((output / section).glob("*/index.html")):
            if page.parent.name == "archives":
                continue
            soup = BeautifulSoup(page.read_text(), "html.parser")
            if soup.find("meta", attrs={"name": "robots", "content": "noindex"}):
                continue  # an old address (moved or withdrawn item), not an item
            h1 = soup.h1
            found[f"{section}/{page.parent.name}"] = h1.get_text(strip=True) if h1 else ""
    return found


def live_items() -> dict[str, str]:
    return {
        f"{page.section_key}/{page.slug}": page.title for page in ItemPage.objects.live().specific()
    }


def queue_settled() -> bool:
    state = SiteState.objects.get()  # the one site of these tests
    return (
        not DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).exists()
        and not BuildRecord.objects.filter(status=BuildRecord.Status.RUNNING).exists()
        and state.built_version >= state.content_version
    )


def assert_nothing_lost_nothing_stuck(settings, killed: WorkerProcess) -> None:
    output = settings.RELAIS_SITE_OUTPUT
    # the static site shows exactly what the CMS has live
    assert built_items(output) == live_items()
    # content/ too, at the live revisions
    for record in ExportRecord.objects.filter(withdrawn=False):
        page = Page.objects.get(pk=record.page_id)
        assert page.live and record.revision_id == page.live_revision_id
        item = load_file(Path(settings.RELAIS_CONTENT_DIR) / record.path)
        assert item.title == page.title
    assert {r.page_id for r in ExportRecord.objects.filter(withdrawn=False)} == set(
        ItemPage.objects.live().values_list("pk", flat=True)
    )
    # no state stuck
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    assert not BuildRecord.objects.filter(status=BuildRecord.Status.RUNNING).exists()
    closed = DBTaskResult.objects.filter(exception_class_path__endswith="WorkerStopped")
    assert closed.count() == 1
    assert f"-{killed.pid}-" in closed.get().traceback  # names the worker that stopped
    # no orphan tree (beside the trees: the lock, the state, the address book and the model's
    # snapshot, which a live worker may be writing still)
    store = OutputStore(output, output.parent / "builds")
    state = store.state()
    named = {state["live"], state["standby"], state.get("pending")} - {None}
    assert {p.name for p in store.builds.iterdir() if p.is_dir()} == named
    assert {".lock", "state.json", ADDRESS_BOOK} <= {p.name for p in store.builds.iterdir()}


# -- the kill tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["before", "after"], ids=["before-file", "file-not-recorded"])
def test_worker_killed_during_an_export(shared_site, workers, settings, when):
    edit_as_editors_do(shared_site)
    content = Path(settings.RELAIS_CONTENT_DIR) / "actualites" / "gala-annuel.md"
    first = workers(
        "first", "--no-clock", killpoint="cms.publishing.export:_write_atomic", when=when
    )
    first.wait_for_killpoint()
    first.kill()
    # what the issue saw: the task running for ever, content/ and the record not in step
    running = DBTaskResult.objects.get(status=TaskResultStatus.RUNNING)
    assert running.task_path.endswith("export_page_task")
    record = ExportRecord.objects.get(page_id=shared_site["a"].pk)
    assert record.revision_id != Page.objects.get(pk=shared_site["a"].pk).live_revision_id
    assert (load_file(content).title == "Gala annuel : le programme") == (when == "after")

    second = workers("second", "--no-clock")
    wait_until(queue_settled, TIMEOUT, "the queue to settle after the restart", second.log)
    second.stop()
    assert load_file(content).title == "Gala annuel : le programme"
    assert built_items(settings.RELAIS_SITE_OUTPUT)["actualites/gala-annuel"] == (
        "Gala annuel : le programme"
    )
    assert "actualites/prix-de-these" not in built_items(settings.RELAIS_SITE_OUTPUT)
    assert_nothing_lost_nothing_stuck(settings, first)


@pytest.mark.parametrize("kind", ["incremental", "full"])
def test_worker_killed_during_a_build(shared_site, workers, settings, admin_client, kind):
    builds = Path(settings.RELAIS_SITE_OUTPUT).parent / "builds"
    before = {p.name for p in builds.iterdir()}
    if kind == "incremental":
        edit_as_editors_do(shared_site)
    else:  # the admin's "Reconstruire le site maintenant"
        assert admin_client.post("/admin/site/rebuild/").status_code == 302
    # stopped while Pelican writes its third file: a half-written tree in site/builds/
    first = workers(
        "first", "--no-clock", killpoint="pelican.writers:Writer.write_file", when="after", call=3
    )
    first.wait_for_killpoint()
    stopped = int(first.marker.read_text())
    first.kill()
    if kind == "full":  # the full build's own process stopped there, and died with the worker
        assert stopped != first.pid
        wait_until(
            lambda: not Path(f"/proc/{stopped}").exists(),
            30,
            "the full build's process to end",
            first.log,
        )
    half_written = {p.name for p in builds.iterdir()} - before
    assert len(half_written) == 1, half_written
    stuck = BuildRecord.objects.get(status=BuildRecord.Status.RUNNING)

    second = workers("second", "--no-clock")
    wait_until(queue_settled, TIMEOUT, "the queue to settle after the restart", second.log)
    second.stop()
    stuck.refresh_from_db()
    assert f"-{first.pid}-" in stuck.worker
    assert stuck.status == BuildRecord.Status.ABANDONED and stuck.finished_at
    assert "s'est arrêté pendant la construction" in stuck.errors
    latest = BuildRecord.objects.filter(started_at__gt=stuck.started_at)
    assert latest.filter(status=BuildRecord.Status.SUCCEEDED).exists()
    if kind == "full":
        assert latest.filter(kind="full").count() == 1
    assert not (builds / half_written.pop()).exists()
    assert_nothing_lost_nothing_stuck(settings, first)
    # the admin tells the truth: the interrupted build as such, nothing "en cours"
    page = admin_client.get("/admin/site/").content.decode()
    assert "interrompue" in page and "en cours" not in page
    assert "Site à jour" in admin_client.get("/admin/").content.decode()


@pytest.fixture
def mastodon():
    fake = FakeMastodon(stall=0.3).start()
    yield fake
    fake.stop()


def test_worker_killed_during_a_post_on_a_network(shared_site, workers, settings, mastodon):
    account = make_account(shared_site["site"], mastodon)
    # the network records the post, then its answer never comes back to the worker
    mastodon.faults.add("hold_after", path="/statuses")
    make_item(shared_site, title="Nomination de Léa Martin", slug="nomination-lea-martin")
    first = workers("first", "--no-clock")
    assert mastodon.held.wait(TIMEOUT), first.log()
    first.kill()
    mastodon.release()
    delivery = Delivery.objects.get(account=account)
    assert delivery.state == "sending" and len(mastodon.posts) == 1
    assert DBTaskResult.objects.get(status=TaskResultStatus.RUNNING).task_path.endswith(
        "deliver_task"
    )

    second = workers("second", "--no-clock")
    wait_until(
        lambda: Delivery.objects.get(pk=delivery.pk).state == "sent" and queue_settled(),
        TIMEOUT,
        "the delivery to be found on the network",
        second.log,
    )
    second.stop()
    # found, not posted again
    assert len(mastodon.posts) == 1
    links = [without_utm(link) for link in mastodon.published_links()]
    assert links == [f"{settings.RELAIS_SITE_URL}/actualites/nomination-lea-martin/"]
    delivery.refresh_from_db()
    assert delivery.remote_id == mastodon.posts[0]["id"] and delivery.attempt == 1
    assert "found on the network" in delivery.reason
    assert_nothing_lost_nothing_stuck(settings, first)


def test_worker_killed_once_the_site_changed_but_before_it_was_recorded(
    shared_site, workers, settings, mastodon
):
    """The new site is live, but neither the records nor syndication know it yet."""
    account = make_account(shared_site["site"], mastodon)
    page = make_item(shared_site, title="Nomination de Léa Martin", slug="nomination-lea-martin")
    first = workers("first", "--no-clock", killpoint="cms.publishing.tasks:_mark_live")
    first.wait_for_killpoint()
    first.kill()
    assert "actualites/nomination-lea-martin" in built_items(settings.RELAIS_SITE_OUTPUT)
    assert ExportRecord.objects.get(page_id=page.pk).live_at is None
    assert not Delivery.objects.exists()  # never announced: nothing would ever post it

    second = workers("second", "--no-clock")
    wait_until(
        lambda: Delivery.objects.filter(account=account, state="sent").exists() and queue_settled(),
        TIMEOUT,
        "the item to be announced and posted",
        second.log,
    )
    second.stop()
    assert len(mastodon.posts) == 1
    assert ExportRecord.objects.get(page_id=page.pk).live_at is not None
    assert_nothing_lost_nothing_stuck(settings, first)
