"""The fan-out: a real worker (``manage.py relais_worker``) posts to several networks at once, so
that a slow network only delays its own posts; concurrency keeps every post exactly once, with
faults injected; a posting budget of an application holds across its accounts and workers."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cms.core.models import RateCounter
from cms.publishing import export
from cms.publishing.lanes import concurrent_queues
from cms.publishing.models import BuildRecord
from cms.publishing.signal_handlers import suspended
from cms.publishing.tasks import run_build
from cms.social.models import Delivery
from cms.social.tasks import deliver_task
from syndication.testing.fakes import FAKES, RANDOM_FAULTS, FakeServer
from syndication.text import without_utm
from tests.cms.conftest import shared_site  # noqa: F401
from tests.cms.factories import make_item
from tests.cms.workers import WorkerProcess, wait_until
from tests.social.support import make_account

TIMEOUT = 120
NETWORKS = ("facebook", "linkedin", "mastodon", "x")


def publish_items(tree: dict, count: int) -> None:
    """``count`` new items live at once (exported and built here): their posts wait in the
    database queue for the worker, all of them from the start."""
    with suspended():
        pages = [
            make_item(tree, title=f"Rencontre des anciens n°{n}", slug=f"rencontre-{n}")
            for n in range(count)
        ]
    for page in pages:
        export.export_page(page)
    assert run_build(tree["site"], "articles").status == BuildRecord.Status.SUCCEEDED


def start_worker(tmp_path: Path, name: str, **env: str) -> WorkerProcess:
    worker = WorkerProcess(tmp_path, name, "--no-clock", "--queues", "syndication")
    worker.env.update(DJANGO_SETTINGS_MODULE="tests.social.fanout_settings", **env)
    return worker.start()


@pytest.fixture
def started(tmp_path):
    """Workers and fakes started by a test, stopped at its end."""
    things: list = []
    yield things
    for thing in things:
        if isinstance(thing, WorkerProcess):
            thing.close()
        else:
            thing.stop()


def fake(started: list, network: str, n: int = 0, **options) -> FakeServer:
    """A running fake of ``network``; ``n`` gives the account it serves its own ids."""
    server = FAKES[network](stall=2.5, **options).start()
    started.append(server)
    if n:
        if network == "x":
            server.user_id = f"14600000000000000{n:02d}"
        elif network == "linkedin":
            server.author = f"urn:li:organization:55157{n:02d}"
            server.administered = [server.author]
        elif network == "facebook":
            server.page_id = f"1040000000000{n:02d}"
    return server


def posts_answered(server: FakeServer) -> list[tuple[float, float]]:
    """(arrival, answer) of each post the network created, in order."""
    created = [
        r
        for r in server.requests
        if r.method == "POST" and r.response is not None and 200 <= r.response.status < 300
    ]
    return sorted((r.received_at, r.answered_at) for r in created)


def settled() -> bool:
    return not DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING], run_after__lte=timezone.now()
    ).exists()


def test_the_worker_runs_the_syndication_queue_in_lanes(settings):
    settings.RELAIS_SOCIAL_DELIVERY = {"concurrency": 32}
    (spec,) = concurrent_queues(["publishing", "syndication"])
    assert spec.queue == "syndication" and spec.threads() == 32
    assert spec.limit("network:x") == 16 and spec.limit("account:3") == 2
    settings.RELAIS_SOCIAL_DELIVERY = {"concurrency": 1}  # one at a time: db_worker's way
    assert concurrent_queues(["syndication"]) == []


@pytest.mark.parametrize("concurrency", [32, 1])
def test_a_slow_network_does_not_delay_the_posts_to_the_others(
    shared_site,  # noqa: F811
    started,
    tmp_path,
    concurrency,
):
    fakes = {name: fake(started, name) for name in NETWORKS}
    fakes["x"].latency = 1.5  # every answer of X takes 1.5 s (the client waits 2 s)
    for server in fakes.values():
        make_account(shared_site["site"], server)
    publish_items(shared_site, 4)
    assert Delivery.objects.count() == 16
    worker = start_worker(tmp_path, "worker", RELAIS_DELIVERY_CONCURRENCY=str(concurrency))
    started.append(worker)
    wait_until(
        lambda: Delivery.objects.filter(state="sent").count() == 16,
        TIMEOUT,
        "every post to be sent",
        worker.log,
    )
    x_posts = posts_answered(fakes["x"])
    others = [p for name in NETWORKS if name != "x" for p in posts_answered(fakes[name])]
    assert len(x_posts) == 4 and len(others) == 12
    first_x_answered = x_posts[0][1]
    if concurrency > 1:
        # the other networks were all answered while X was still busy with its first post
        assert all(answered < first_x_answered for _arrived, answered in others)
        assert max(arrived for arrived, _answered in others) > x_posts[0][0]
        # and X's own posts left two at a time at most (one account: its lane holds two),
        # in the queue's order: the third and the fourth each waited for an earlier answer
        assert x_posts[1][0] < x_posts[0][1]  # two at once
        for n in (2, 3):
            under_way = [a for a, answered in x_posts[:n] if answered > x_posts[n][0]]
            assert len(under_way) < 2, (n, x_posts)
    else:
        # one at a time, in the queue's order: the posts after X's first one waited for it
        assert sum(answered > first_x_answered for _arrived, answered in others) >= 3
    worker.stop()


def test_concurrent_posts_are_sent_exactly_once_under_faults(
    shared_site,  # noqa: F811
    started,
    tmp_path,
    settings,
):
    servers = [fake(started, name, n, slow=0.5) for n in (1, 2) for name in NETWORKS]
    for seed, server in enumerate(servers):
        make_account(shared_site["site"], server, display_name=f"Alumni {seed}")
        server.faults.randomize(0.3, seed=seed, kinds=(*RANDOM_FAULTS, "slow"))
        server.rate_limit_wait = 2  # Meta's is a minute: the test would wait that long
    publish_items(shared_site, 3)
    deliveries = Delivery.objects.count()
    assert deliveries == 24
    worker = start_worker(tmp_path, "worker")
    started.append(worker)
    wait_until(
        lambda: not Delivery.objects.exclude(state__in=["sent", "failed", "skipped"]).exists(),
        TIMEOUT,
        "every post to be done",
        worker.log,
    )
    worker.stop()
    injected = sum((s.faults.injected for s in servers), Counter())
    assert injected["timeout_after"] + injected["reset_after"] + injected["error_500_after"] > 0
    assert injected["slow"] > 0
    for server in servers:
        account_deliveries = Delivery.objects.filter(account__base_url=server.url)
        # no post lost: every delivery is sent, and its post is on the network
        assert [d.state for d in account_deliveries] == ["sent"] * 3, server.network
        ids = {p["id"] for p in server.posts}
        assert {d.remote_id for d in account_deliveries} <= ids
        # no post twice: one post per item on each account
        links = [without_utm(link) for link in server.published_links()]
        assert len(links) == len(set(links)) == 3, (server.network, links)


def test_a_delivery_queued_twice_is_posted_once_when_both_run_at_once(
    shared_site,  # noqa: F811
    started,
    tmp_path,
):
    server = fake(started, "mastodon", latency=0.5)
    make_account(shared_site["site"], server)
    publish_items(shared_site, 1)
    (delivery,) = Delivery.objects.all()
    for _ in range(2):  # as a retry and the resume task may both enqueue it
        deliver_task.enqueue(delivery.pk)
    worker = start_worker(tmp_path, "worker")
    started.append(worker)
    wait_until(
        lambda: Delivery.objects.filter(state="sent").count() == 1 and settled(),
        TIMEOUT,
        "the post to be sent and every task done",
        worker.log,
    )
    worker.stop()
    # (the task that found the post under way also queued a look later, after the lease)
    ran = DBTaskResult.objects.filter(task_path=deliver_task.module_path, started_at__isnull=False)
    tasks = sorted(ran.values_list("started_at", "finished_at"))
    assert len(tasks) == 3
    # two tasks of the delivery ran at once (the account's lane holds two)...
    assert tasks[1][0] < tasks[0][1]
    # ...and the ledger let one of them post
    creates = [r for r in server.requests if r.method == "POST" and "statuses" in r.path]
    assert len(creates) == 1 and len(server.posts) == 1
    assert Delivery.objects.get().remote_id == server.posts[0]["id"]


def test_an_application_budget_holds_across_accounts_and_workers(
    shared_site,  # noqa: F811
    started,
    tmp_path,
):
    servers = [fake(started, "x", n, latency=0.2) for n in (1, 2)]
    accounts = [
        make_account(shared_site["site"], s, display_name=f"Alumni {n}")
        for n, s in enumerate(servers)
    ]
    publish_items(shared_site, 3)  # 6 posts on X, for an application allowed 4 an hour
    for name in ("one", "two"):
        started.append(start_worker(tmp_path, name, RELAIS_TEST_X_APPLICATION_POSTS="4"))
    wait_until(
        lambda: (
            Delivery.objects.filter(state="sent").count() == 4
            and Delivery.objects.filter(state="pending", retry_at__isnull=False).count() == 2
            and settled()
        ),
        TIMEOUT,
        "four posts sent and two waiting for the budget",
        lambda: started[-1].log() + started[-2].log(),
    )
    assert sum(len(s.posts) for s in servers) == 4
    assert all(s.posts for s in servers)  # both accounts posted: the budget is the application's
    waiting = Delivery.objects.filter(state="pending")
    assert {d.account_id for d in waiting} <= {a.pk for a in accounts}
    assert all(d.retry_at > timezone.now() + dt.timedelta(minutes=50) for d in waiting)
    assert all("pour toutes les associations" in d.reason for d in waiting)
    counted = RateCounter.objects.filter(key__startswith="relais:budget:x-application:all:")
    assert sum(r.count for r in counted.exclude(key__endswith=":lock")) == 4
    for worker in started:
        if isinstance(worker, WorkerProcess):
            worker.stop()
