"""Background tasks of syndication, on the ``syndication`` queue of the ``relais`` backend."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .delivery import deliver, resume

logger = logging.getLogger(__name__)


@task(backend="relais", queue_name="syndication")
def deliver_task(delivery_id: int) -> str | None:
    """Post one delivery (one item on one account), exactly once."""
    delivery = deliver(delivery_id)
    return delivery.state if delivery is not None else None


@task(backend="relais", queue_name="syndication")
def resume_task() -> int:
    """Carry on the deliveries left unfinished (a worker stopped mid-post, a queued task was
    lost). Enqueued by itself after the worker's tasks, every few minutes (``resume_every``);
    re-enqueuing a delivery never posts it twice."""
    return resume()


def schedule(delivery_id: int, run_after: dt.datetime | None = None) -> None:
    """Enqueue the delivery once the current transaction commits, not before ``run_after``.

    A backend that cannot defer (the immediate one, for tests and debugging) runs what is due
    now and leaves later deliveries pending, for :func:`resume_task`.
    """

    def enqueue() -> None:
        job = deliver_task
        if run_after is not None and run_after > timezone.now():
            if not job.get_backend().supports_defer:
                logger.info(
                    "Delivery %s waits until %s (this task backend cannot defer)",
                    delivery_id,
                    run_after.isoformat(),
                )
                return
            job = job.using(run_after=run_after)
        job.enqueue(delivery_id)

    transaction.on_commit(enqueue)


def on_delivery_due(
    sender: Any, delivery_id: int, run_after: dt.datetime | None = None, **kwargs: Any
) -> None:
    """Receiver of :data:`cms.social.signals.delivery_due`."""
    schedule(delivery_id, run_after)
