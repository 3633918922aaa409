"""The pull task on the Django side, against the fakes of the networks: every sent post is
followed, its metrics read back as the fakes count them, stored as a time series (unavailable
never as zero), read often while young and no more after 90 days; an account to reconnect is
left alone, a rate limit or a network down defers only that account."""

from __future__ import annotations

import datetime as dt
import random

from django.core import mail
from django.utils import timezone

from cms.publishing.clock import Clock, default_jobs
from cms.social.models import Delivery, SocialAccount
from cms.stats import conf
from cms.stats.models import MetricSample, TrackedPost
from cms.stats.pulling import pull, track_new_posts
from syndication.testing.fakes import client_for

HOUR = dt.timedelta(hours=1)


def engage_all(fakes, seed: int) -> dict[int, dict[str, int]]:
    """Random reactions on every post the fakes hold; what each delivery got, by metric."""
    rng = random.Random(seed)
    got = {}
    for delivery in Delivery.objects.filter(state="sent"):
        fake = fakes[delivery.network]
        amounts = {m: rng.randrange(0, 300) for m in fake.counter_names}
        fake.engage(delivery.remote_id, **amounts)
        got[delivery.pk] = amounts
    return got


def latest(delivery: Delivery) -> dict[str, MetricSample]:
    out = {}
    for sample in MetricSample.objects.filter(delivery=delivery).order_by("taken_at", "pk"):
        out[sample.metric] = sample
    return out


def test_every_sent_post_is_followed_and_read_as_the_networks_count(published, fakes):
    first_read = timezone.now() + dt.timedelta(seconds=conf.stats()["first_pull_after"] + 1)
    assert pull(timezone.now()).read == 0  # followed from now on, first reading later
    assert TrackedPost.objects.count() == Delivery.objects.filter(state="sent").count()
    engaged = engage_all(fakes, seed=1)

    report = pull(first_read)

    assert report.read == TrackedPost.objects.count()
    for delivery in Delivery.objects.filter(state="sent"):
        client = client_for(fakes[delivery.network])
        samples = latest(delivery)
        assert set(samples) == set(client.metric_names)
        for metric, sample in samples.items():
            assert sample.value == engaged[delivery.pk][metric], (delivery.network, metric)
        tracked = delivery.tracking
        assert tracked.last_pulled_at == first_read and tracked.pulls == 1
        assert tracked.next_pull_at == conf.next_pull_at(tracked.posted_at, first_read)


def test_unavailable_metrics_are_stored_as_such_and_the_others_still_read(published, fakes):
    fakes["instagram"].insights_allowed = False  # no instagram_manage_insights
    fakes["facebook"].retired_insights.add("post_clicks")  # Meta retires one more
    engaged = engage_all(fakes, seed=2)

    pull(timezone.now() + 2 * HOUR)

    for delivery in Delivery.objects.filter(state="sent", network__in=["instagram", "facebook"]):
        samples = latest(delivery)
        refused = {
            "instagram": {"impressions", "reach", "saves", "shares"},
            "facebook": {"clicks"},
        }[delivery.network]
        for metric, sample in samples.items():
            if metric in refused:
                assert sample.value is None and sample.unavailable in ("permission", "retired")
                assert sample.reason, "the network's reason is kept"
            else:
                assert sample.value == engaged[delivery.pk][metric] and not sample.unavailable
    assert not MetricSample.objects.filter(
        value=0, metric="clicks", delivery__network="facebook"
    ).exists()


def test_a_sample_is_written_only_when_a_number_changes(published, fakes):
    now = timezone.now() + 2 * HOUR
    pull(now)
    count = MetricSample.objects.count()
    post = TrackedPost.objects.get(
        delivery__network="mastodon", delivery__item_key="actualites/nomination-lea-martin"
    )
    pull(now + HOUR, [post])
    assert MetricSample.objects.count() == count
    fakes["mastodon"].engage(post.delivery.remote_id, likes=3)
    later = now + 3 * HOUR
    pull(later, [post])
    new = MetricSample.objects.filter(delivery=post.delivery, taken_at=later)
    assert [(s.metric, s.value) for s in new] == [("likes", 3)]
    post.refresh_from_db()
    assert post.pulls == 3 and post.latest["likes"] == {"value": 3}


def test_young_posts_are_read_often_old_ones_rarely_and_never_after_90_days(published):
    track_new_posts()
    post = TrackedPost.objects.first()
    start = post.posted_at
    intervals = conf.stats()["intervals"]
    for age, expected in (
        (HOUR, intervals[0][1]),
        (dt.timedelta(days=3), intervals[1][1]),
        (dt.timedelta(days=10), intervals[2][1]),
        (dt.timedelta(days=40), intervals[3][1]),
    ):
        pull(start + age, [post])
        post.refresh_from_db()
        assert post.next_pull_at - (start + age) == dt.timedelta(seconds=expected)
    stop = start + dt.timedelta(seconds=conf.stats()["stop_after"])
    pull(stop - dt.timedelta(days=2), [post])
    post.refresh_from_db()
    assert post.next_pull_at == stop  # the last reading is at 90 days exactly
    pull(stop, [post])
    post.refresh_from_db()
    assert post.next_pull_at is None
    assert not TrackedPost.objects.filter(pk=post.pk, next_pull_at__lte=stop + HOUR).exists()


def test_an_account_to_reconnect_is_not_asked_anything(published, fakes, accounts):
    mastodon = accounts["mastodon"]
    SocialAccount.objects.filter(pk=mastodon.pk).update(
        status=SocialAccount.Status.RECONNECT, status_message="Le jeton a expiré."
    )
    before = len(fakes["mastodon"].requests)
    now = timezone.now() + 2 * HOUR

    report = pull(now)

    assert report.accounts[mastodon.pk] == "skipped"
    assert len(fakes["mastodon"].requests) == before
    waiting = TrackedPost.objects.filter(delivery__account=mastodon)
    assert all(p.next_pull_at <= now and p.note == "Le jeton a expiré." for p in waiting)
    assert not MetricSample.objects.filter(delivery__account=mastodon).exists()
    assert MetricSample.objects.filter(delivery__network="x").exists()  # the others are read


def test_a_revoked_token_marks_the_account_and_tells_its_owner_once(
    published, fakes, accounts, admin_user
):
    fakes["mastodon"].expire_tokens()
    now = timezone.now() + 2 * HOUR

    assert pull(now).accounts[accounts["mastodon"].pk] == "reconnect"

    account = SocialAccount.objects.get(pk=accounts["mastodon"].pk)
    assert account.status == SocialAccount.Status.RECONNECT
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    asked = len(fakes["mastodon"].requests)
    pull(now + HOUR)
    assert len(fakes["mastodon"].requests) == asked and len(mail.outbox) == 1
    assert MetricSample.objects.filter(delivery__network="linkedin").exists()


def test_a_rate_limit_defers_that_account_as_the_network_asks(published, fakes, accounts):
    fakes["x"].faults.add("rate_limit", method="GET")
    now = timezone.now() + 2 * HOUR

    report = pull(now)

    assert report.accounts[accounts["x"].pk] == "deferred"
    deferred = TrackedPost.objects.filter(delivery__account=accounts["x"])
    for post in deferred:
        wait = (post.next_pull_at - now).total_seconds()
        # FakeX asks to come back at x-rate-limit-reset (5 s); the policy adds < 1 s of jitter
        assert 0 < wait <= 7 and post.failures == 1 and "rate limited" in post.note
    assert not MetricSample.objects.filter(delivery__account=accounts["x"]).exists()
    assert MetricSample.objects.filter(delivery__network="mastodon").exists()
    asked = len(fakes["x"].requests)
    pull(now + dt.timedelta(seconds=1))
    assert len(fakes["x"].requests) == asked  # not due yet: not hammered
    pull(now + dt.timedelta(seconds=10))
    assert MetricSample.objects.filter(delivery__account=accounts["x"]).exists()
    assert all(p.failures == 0 for p in TrackedPost.objects.filter(delivery__account=accounts["x"]))


def test_a_network_down_is_backed_off_with_the_delivery_policy(published, fakes, accounts):
    """Full jitter: the n-th wait is random, at most ``backoff_base * 2**(n-1)``."""
    linkedin = accounts["linkedin"]
    fakes["linkedin"].faults.add("error_500", method="GET", times=2)
    now = timezone.now() + 2 * HOUR
    pull(now)
    first = TrackedPost.objects.filter(delivery__account=linkedin).first()
    assert first.failures == 1 and "server error 500" in first.note
    cap = conf.stats()["backoff_base"]
    assert now <= first.next_pull_at <= now + dt.timedelta(seconds=cap)
    pull(first.next_pull_at)
    first.refresh_from_db()
    assert first.failures == 2
    assert first.next_pull_at <= now + dt.timedelta(seconds=cap * 3)


def test_an_account_is_read_at_most_so_many_posts_per_run(published, fakes, accounts, settings):
    settings.RELAIS_STATS = {"max_posts_per_account": 1}
    now = timezone.now() + 2 * HOUR
    pull(now)
    read = TrackedPost.objects.filter(delivery__account=accounts["mastodon"], pulls=1).count()
    assert read == 1
    pull(now)
    assert TrackedPost.objects.filter(delivery__account=accounts["mastodon"], pulls=1).count() == 2


def test_the_worker_clock_runs_the_pull(published, fakes):
    jobs = {job.name: job for job in default_jobs()}
    assert "stats_pull_metrics" in jobs
    clock = Clock("worker-test", jobs=[jobs["stats_pull_metrics"]])
    assert clock.run_once() == ["stats_pull_metrics"]  # immediate backend: it ran
    assert TrackedPost.objects.count() == Delivery.objects.filter(state="sent").count()
    assert clock.run_once(timezone.now() + dt.timedelta(minutes=1)) == []  # not due again yet
