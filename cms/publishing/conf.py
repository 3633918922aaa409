"""Settings of the workers, with their defaults; ``settings.RELAIS_WORKERS`` overrides them.

Times are in seconds. A worker writes its heartbeat every ``heartbeat``; one whose heartbeat is
older than ``dead_after`` is dead (on its own machine, a worker whose process is gone is dead at
once). Keep ``dead_after`` and ``clock_lease`` several times ``heartbeat`` and ``clock_tick``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

WORKERS: dict[str, Any] = {
    "heartbeat": 5.0,
    "dead_after": 30.0,
    # The clock looks for due jobs every tick; its holder renews the lease then.
    "clock_tick": 5.0,
    "clock_lease": 30.0,
    # A build holds its site's lease (one build per site at a time across all workers) for
    # this long, renewed every third of it while it runs; a build that finds the lease held
    # waits up to ``build_wait``, then goes to the back of the queue.
    "build_lease": 60.0,
    "build_wait": 5.0,
    # How often the clock enqueues the recovery (cms.publishing.recovery); 0 turns it off (it
    # still runs when a worker starts).
    "recovery_every": 300.0,
    # A tree of site/builds/ that state.json does not name is removed once it is this old
    # (and nobody holds the builds' lock): a writer on another machine keeps it younger.
    "orphan_min_age": 60.0,
    # What a process that never registered left running (a build by `manage.py build_site`, a
    # task of a `db_worker` started by hand) is closed as interrupted after this long.
    "unregistered_timeout": 6 * 3600.0,
    # The database queue's finished tasks are kept this many days, then deleted each night
    # (cms.publishing.history); 0 keeps them all.
    "task_history_days": 30,
}


def workers() -> dict[str, Any]:
    return {**WORKERS, **getattr(settings, "RELAIS_WORKERS", {})}


#: The health check's thresholds (cms.publishing.health); ``settings.RELAIS_HEALTH`` overrides
#: them. A queue whose oldest waiting task has waited more than ``queue_max_age`` seconds makes
#: the installation unhealthy.
HEALTH: dict[str, Any] = {
    "queue_max_age": 900.0,
}


def health() -> dict[str, Any]:
    return {**HEALTH, **getattr(settings, "RELAIS_HEALTH", {})}
