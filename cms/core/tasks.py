"""Background tasks of the core app, on the ``maintenance`` queue (the worker's clock enqueues
them, see :func:`cms.publishing.clock.default_jobs`)."""

from __future__ import annotations

from django_tasks import task

from . import ratelimit


@task(backend="relais", queue_name="maintenance")
def purge_rate_counters() -> int:
    """Delete the rate-limit windows that have ended."""
    return ratelimit.purge_expired()
