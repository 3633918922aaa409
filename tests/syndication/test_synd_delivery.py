"""The delivery engine and the SQLite ledger: every state change, exactly once, without sleeping."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import threading

import pytest

from syndication.compose import compose
from syndication.delivery import DeliveryEngine
from syndication.errors import ReconnectNeeded
from syndication.ledger import Ledger, State
from syndication.models import ImageRef, RemotePost
from syndication.networks import registry
from syndication.policy import RetryPolicy
from syndication.sqlite import SQLiteLedger
from syndication.testing.fakes import client_for
from syndication.testing.worker import synthetic_item

ACCOUNT = "account-1"


@pytest.fixture
def ledger(tmp_path) -> SQLiteLedger:
    return SQLiteLedger(tmp_path / "ledger.sqlite3")


@pytest.fixture
def engine(ledger, fake_time) -> DeliveryEngine:
    return DeliveryEngine(
        ledger,
        policy=RetryPolicy(rng=random.Random(3)),
        sleep=fake_time.sleep,
        clock=fake_time.time,
    )


def mastodon_post(n: int = 1):
    return compose(synthetic_item(n), registry.create("mastodon"))


def test_sqlite_ledger_implements_the_protocol(ledger):
    assert isinstance(ledger, Ledger)
    entry = ledger.get_or_create("actualites/a", ACCOUNT, "x")
    assert (entry.state, entry.attempt, entry.version) == (State.PENDING, 0, 0)
    assert ledger.get_or_create("actualites/a", ACCOUNT, "x") == entry
    moved = ledger.update(entry, state=State.SENDING, attempt=1)
    assert moved is not None and moved.version == 1
    assert ledger.update(entry, state=State.SENDING, attempt=1) is None  # stale version
    with pytest.raises(TypeError, match="cannot be changed"):
        ledger.update(moved, item_key="other")
    assert [e.item_key for e in ledger.unfinished()] == ["actualites/a"]


def test_sent_once_and_never_again(fake_factory, engine, ledger):
    fake = fake_factory("mastodon")
    client = client_for(fake)
    entry = engine.deliver(mastodon_post(), client, ACCOUNT)
    assert entry.state == State.SENT and entry.attempt == 1
    assert entry.remote_id == fake.posts[0]["id"] and entry.remote_url.endswith(entry.remote_id)
    again = engine.deliver(mastodon_post(), client, ACCOUNT)
    assert again == entry and len(fake.posts) == 1


def test_intent_is_written_before_the_call(engine, ledger):
    seen = []

    class Spy:
        def publish(self, post):
            seen.append(ledger.get(post.item_key, ACCOUNT))
            return RemotePost("42", "https://x.test/42")

    post = mastodon_post()
    engine.deliver(post, Spy(), ACCOUNT)
    assert seen[0].state == State.SENDING and seen[0].attempt == 1 and seen[0].updated_at


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [
        ("reset_after", 1),
        ("error_500_after", 1),
        ("timeout_after", 1),
        ("reset_before", 2),
        ("error_500", 2),
    ],
)
def test_uncertain_attempts_look_before_sending_again(fake_factory, engine, fault, attempts):
    fake = fake_factory("mastodon", stall=0.5)
    fake.faults.add(fault, path="/statuses")
    entry = engine.deliver(mastodon_post(), client_for(fake, timeout=0.25), ACCOUNT)
    assert entry.state == State.SENT and len(fake.posts) == 1
    assert entry.attempt == attempts
    assert entry.remote_id == fake.posts[0]["id"]
    looked = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/statuses")]
    assert looked, "find_existing was not called before retrying"


def test_rate_limit_waits_what_the_network_asked(fake_factory, engine, fake_time):
    fake = fake_factory("x", clock=fake_time.time)
    fake.faults.add("rate_limit", path="/2/tweets")
    client = client_for(fake, clock=fake_time.time)
    entry = engine.deliver(compose(synthetic_item(1), registry.create("x")), client, ACCOUNT)
    assert entry.state == State.SENT and len(fake.posts) == 1
    # x-rate-limit-reset is 5 s ahead: the engine waits that, plus its jitter, once
    (slept,) = fake_time.sleeps
    asked = fake.rate_limit_wait
    assert asked <= slept <= asked + engine.policy.jitter_after


def test_long_waits_are_deferred_not_slept(fake_factory, ledger, fake_time):
    fake = fake_factory("mastodon")
    fake.faults.add("rate_limit", path="/statuses")
    engine = DeliveryEngine(
        ledger,
        policy=RetryPolicy(max_inline_delay=1.0, rng=random.Random(1)),
        sleep=fake_time.sleep,
        clock=fake_time.time,
    )
    entry = engine.deliver(mastodon_post(), client_for(fake), ACCOUNT)
    assert entry.state == State.PENDING and entry.retry_at is not None and fake_time.sleeps == []
    assert engine.deliver(mastodon_post(), client_for(fake), ACCOUNT).state == State.PENDING
    fake_time.now = entry.retry_at.timestamp() + 1
    assert engine.deliver(mastodon_post(), client_for(fake), ACCOUNT).state == State.SENT


def test_refusals_fail_with_the_reason(fake_factory, engine):
    fake = fake_factory("mastodon", max_characters=50)
    entry = engine.deliver(mastodon_post(), client_for(fake), ACCOUNT)
    assert entry.state == State.FAILED and "character limit of 50" in entry.reason
    assert entry.attempt == 1


def test_expired_token_raises_reconnect_and_keeps_the_post_pending(fake_factory, engine):
    fake = fake_factory("mastodon")
    client = client_for(fake)
    fake.expire_tokens()
    with pytest.raises(ReconnectNeeded):
        engine.deliver(mastodon_post(), client, ACCOUNT)
    entry = engine.ledger.get_or_create(mastodon_post().item_key, ACCOUNT, "mastodon")
    assert entry.state == State.PENDING and "Reconnect" in entry.reason and fake.posts == []
    fake.valid_tokens.add(fake.token)  # the account was reconnected
    assert engine.deliver(mastodon_post(), client, ACCOUNT).state == State.SENT


def test_gives_up_after_max_attempts(fake_factory, ledger, fake_time):
    fake = fake_factory("mastodon")
    fake.faults.add("error_500", method="POST", times=100)
    engine = DeliveryEngine(
        ledger,
        policy=RetryPolicy(max_attempts=3, rng=random.Random(1)),
        sleep=fake_time.sleep,
        clock=fake_time.time,
    )
    entry = engine.deliver(mastodon_post(), client_for(fake), ACCOUNT)
    while entry.state not in (State.FAILED, State.SENT):  # deferred: the queue runs it again
        fake_time.now = entry.retry_at.timestamp() + 1 if entry.retry_at else fake_time.now
        entry = engine.deliver(mastodon_post(), client_for(fake), ACCOUNT)
    assert entry.state == State.FAILED and "gave up after 3 attempts" in entry.reason
    assert fake.posts == [] and len(fake_time.sleeps) >= 2


def test_sending_left_by_a_live_worker_is_left_alone_a_stale_one_is_checked(
    fake_factory, engine, ledger, fake_time
):
    fake = fake_factory("mastodon")
    client = client_for(fake)
    post = mastodon_post()
    client.publish(post)  # posted by a worker that died before writing "sent"
    entry = ledger.get_or_create(post.item_key, ACCOUNT, "mastodon")
    now = dt.datetime.fromtimestamp(fake_time.now, dt.UTC)
    ledger.update(entry, state=State.SENDING, attempt=1, updated_at=now)
    assert engine.deliver(post, client, ACCOUNT).state == State.SENDING  # within the lease
    fake_time.now += engine.sending_lease + 1
    entry = engine.deliver(post, client, ACCOUNT)
    assert entry.state == State.SENT and entry.attempt == 1 and len(fake.posts) == 1
    assert entry.remote_id == fake.posts[0]["id"]


def test_unexpected_error_after_the_call_means_needs_check(engine, ledger):
    class Buggy:
        def publish(self, post):
            raise KeyError("id")

    post = mastodon_post()
    with pytest.raises(KeyError):
        engine.deliver(post, Buggy(), ACCOUNT)
    assert ledger.get(post.item_key, ACCOUNT).state == State.NEEDS_CHECK


def test_two_workers_never_post_the_same_item_twice(fake_factory, ledger):
    fake = fake_factory("mastodon")
    fake.faults.add("hold_after", path="/statuses")
    post = mastodon_post()
    results = {}

    def work(name):
        engine = DeliveryEngine(ledger, policy=RetryPolicy(rng=random.Random(1)))
        results[name] = engine.deliver(post, client_for(fake), ACCOUNT)

    first = threading.Thread(target=work, args=("first",))
    first.start()
    assert fake.held.wait(10)
    work("second")  # sees "sending" within the lease and leaves it
    assert results["second"].state == State.SENDING
    fake.release()
    first.join(10)
    assert results["first"].state == State.SENT and len(fake.posts) == 1


def _race(path: str, barrier) -> bool:
    ledger = SQLiteLedger(path)
    entry = ledger.get_or_create("actualites/race", ACCOUNT, "x")
    barrier.wait()
    return ledger.update(entry, state=State.SENDING, attempt=1) is not None


def test_sqlite_compare_and_set_across_processes(tmp_path):
    path = str(tmp_path / "race.sqlite3")
    SQLiteLedger(path).get_or_create("actualites/race", ACCOUNT, "x")
    # spawn, not fork: a forked child of a threaded test process can inherit a held lock
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(6)
        with ctx.Pool(6) as pool:
            wins = pool.starmap_async(_race, [(path, barrier)] * 6).get(timeout=120)
    assert sum(wins) == 1
    assert SQLiteLedger(path).get("actualites/race", ACCOUNT).version == 1


def test_skip_and_reset(engine, ledger):
    entry = engine.skip("actualites/a", ACCOUNT, "instagram", "no image")
    assert entry.state == State.SKIPPED and entry.reason == "no image"
    failed = ledger.update(ledger.get_or_create("actualites/b", ACCOUNT, "x"), state=State.FAILED)
    again = engine.reset(failed)
    assert again.state == State.PENDING and again.attempt == 0


@pytest.mark.parametrize("name", ["mastodon", "x", "linkedin", "facebook", "instagram"])
def test_find_existing_looks_back_to_the_uncertain_attempt(fake_factory, ledger, name):
    """An uncertain attempt, then a long wait (rate limit, worker down) during which 130 other
    posts were made: the check still finds the post, however many pages back it is."""
    fake = fake_factory(name)
    client = client_for(fake)
    network = registry.create(name)
    sleeps = []
    engine = DeliveryEngine(
        ledger, policy=RetryPolicy(max_inline_delay=1, rng=random.Random(2)), sleep=sleeps.append
    )
    path = {
        "mastodon": "/statuses",
        "x": "/2/tweets",
        "linkedin": "/rest/posts",
        "facebook": "/feed",
        "instagram": "/media_publish",
    }[name]
    fake.faults.add("reset_after", path=path)

    def post(n):
        item = synthetic_item(n)
        item.image = ImageRef(url=f"https://alumni.example.org/img/{n}.jpg", alt="photo")
        return compose(item, network)

    entry = engine.deliver(post(0), client, ACCOUNT)
    assert entry.state == State.NEEDS_CHECK and entry.retry_at is not None  # deferred
    for n in range(1, 131):
        client.publish(post(n))
    engine.policy.max_inline_delay = 3600
    entry = engine.deliver(post(0), client, ACCOUNT)
    assert entry.state == State.SENT and entry.attempt == 1
    assert sum(1 for p in fake.posts if "/item-0/" in p["link"]) == 1
