"""The statistics' background task, on the ``maintenance`` queue of the ``relais`` backend."""

from __future__ import annotations

from django_tasks import task

from .pulling import pull


@task(backend="relais", queue_name="maintenance")
def pull_metrics_task() -> str:
    """Read the metrics of the posts that are due (enqueued by the worker's clock every
    ``pull_every`` seconds; a run reads only what is due, so running it twice costs nothing)."""
    return str(pull())
