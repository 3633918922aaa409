"""The worker's clock and the database queue as `make run` uses them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cms.publishing.clock import Clock, Job, every_minute, nightly


def test_clock_runs_each_job_when_due():
    calls = []
    clock = Clock(
        jobs=[
            Job("a", every_minute, lambda: calls.append("a")),
            Job("n", nightly, lambda: calls.append("n")),
        ]
    )
    t0 = timezone.make_aware(dt.datetime(2026, 11, 25, 2, 58, 50))
    assert clock.run_once(t0) == ["a"]
    assert clock.run_once(t0 + dt.timedelta(seconds=30)) == []
    assert clock.run_once(t0 + dt.timedelta(seconds=80)) == ["a", "n"]  # 03:00:10
    assert clock.run_once(t0 + dt.timedelta(minutes=30)) == ["a"]  # nightly done for today
    assert calls == ["a", "a", "n", "a"]


def test_a_failing_job_does_not_stop_the_clock():
    def boom():
        raise RuntimeError("database locked")

    clock = Clock(jobs=[Job("boom", every_minute, boom), Job("ok", every_minute, lambda: None)])
    assert clock.run_once(timezone.now()) == ["ok"]
