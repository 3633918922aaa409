"""The worker's clock: one per installation (a lease in the database), and what it ran is
remembered in the database, so that a clock taking over does not run a job again."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cms.publishing.clock import Clock, Job, every_minute, lease_holder, nightly, release_lease
from cms.publishing.models import ClockJob

T0 = timezone.make_aware(dt.datetime(2026, 11, 25, 2, 58, 50))


def test_clock_runs_each_job_when_due(db):
    calls = []
    clock = Clock(
        "worker-a",
        jobs=[
            Job("a", every_minute, lambda: calls.append("a")),
            Job("n", nightly, lambda: calls.append("n")),
        ],
    )
    assert clock.run_once(T0) == ["a"]
    assert clock.run_once(T0 + dt.timedelta(seconds=30)) == []
    assert clock.run_once(T0 + dt.timedelta(seconds=80)) == ["a", "n"]  # 03:00:10
    assert clock.run_once(T0 + dt.timedelta(minutes=30)) == ["a"]  # nightly done for today
    assert calls == ["a", "a", "n", "a"]


def test_a_failing_job_does_not_stop_the_clock_and_is_tried_again(db):
    attempts = []

    def boom():
        attempts.append(1)
        raise RuntimeError("database locked")

    clock = Clock(
        "worker-a", jobs=[Job("boom", every_minute, boom), Job("ok", every_minute, lambda: None)]
    )
    now = timezone.now()
    assert clock.run_once(now) == ["ok"]
    # not recorded as run: the next tick tries again instead of waiting a minute
    assert ClockJob.objects.get(name="boom").last_run_at is None
    assert clock.run_once(now + dt.timedelta(seconds=5)) == []
    assert len(attempts) == 2


def test_only_the_holder_of_the_lease_runs_jobs_until_it_expires(db):
    calls = []
    jobs = [Job("tick", every_minute, lambda: calls.append("tick"))]
    first = Clock("worker-a", jobs=jobs, lease=30)
    second = Clock("worker-b", jobs=jobs, lease=30)
    at = lambda seconds: T0 + dt.timedelta(seconds=seconds)  # noqa: E731
    assert first.run_once(at(0)) == ["tick"]
    assert lease_holder(at(0)) == "worker-a"
    # the second clock runs nothing while the first one renews its lease...
    assert second.run_once(at(10)) == []
    assert first.run_once(at(20)) == []  # renewed until 50
    assert second.run_once(at(45)) == []
    assert lease_holder(at(45)) == "worker-a"
    # ...and takes over once the first stopped renewing it (killed: no release)
    assert second.run_once(at(51)) == []  # the minute is not over since worker-a's run
    assert lease_holder(at(51)) == "worker-b"
    assert second.run_once(at(61)) == ["tick"]
    assert first.run_once(at(62)) == []  # worker-a came back: too late, it holds nothing
    assert lease_holder(at(62)) == "worker-b"
    assert calls == ["tick", "tick"]
    assert ClockJob.objects.get(name="tick").last_run_by == "worker-b"


def test_a_released_lease_is_taken_at_once(db):
    jobs = [Job("tick", every_minute, lambda: None)]
    Clock("worker-a", jobs=jobs).run_once(T0)
    release_lease("worker-a")
    assert lease_holder(T0 + dt.timedelta(seconds=1)) == ""
    assert Clock("worker-b", jobs=jobs).run_once(T0 + dt.timedelta(seconds=61)) == ["tick"]


def test_a_clock_taking_over_does_not_run_the_nightly_build_again(db):
    """The new holder's memory is empty: what ran is read from the database."""
    calls = []
    jobs = [Job("nightly_build", nightly, lambda: calls.append("nightly"))]
    three = timezone.make_aware(dt.datetime(2026, 11, 25, 3, 0, 5))
    assert Clock("worker-a", jobs=jobs, lease=30).run_once(three) == ["nightly_build"]
    # worker-a is killed; worker-b takes over at 03:05
    takeover = Clock("worker-b", jobs=jobs, lease=30)
    assert takeover.run_once(three + dt.timedelta(minutes=5)) == []
    assert calls == ["nightly"]
    assert lease_holder(three + dt.timedelta(minutes=5)) == "worker-b"
