"""Syndication starts when items are live on the static site (``items_live``), never before:
the networks fetch the link card from the live page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.utils.translation import ngettext

from cms.content.models import ItemPage
from cms.publishing.clock import Job, every, register
from cms.publishing.health import Figure, register_figure
from cms.publishing.lanes import run_concurrently
from cms.publishing.models import ExportRecord
from cms.publishing.recovery import register_step, rerunnable
from cms.publishing.signals import items_live

from . import conf, fanout
from .delivery import failing_count, release_abandoned, resume
from .models import Delivery
from .planning import enqueue, plan
from .tasks import deliver_task, resume_task, schedule

logger = logging.getLogger(__name__)


def on_items_live(
    sender: Any,
    page_ids: Iterable[int] = (),
    first_live_ids: Iterable[int] = (),
    **kwargs: Any,
) -> None:
    """Plan and enqueue one delivery per (item, account) for items live for the first time;
    carry on the deliveries that waited for a new version of their item to be live."""
    first = set(first_live_ids)
    for page in ItemPage.objects.filter(pk__in=first).specific():
        try:
            record = ExportRecord.objects.get(page_id=page.pk)
            enqueue(plan(page, record))
        except Exception:  # syndication must never undo a build that succeeded
            logger.exception("Could not plan the posts of page %s", page.pk)
    waiting = Delivery.objects.filter(
        page_id__in=set(page_ids) - first, state="pending", retry_at__isnull=True
    ).values_list("pk", "post_at")
    for pk, post_at in waiting:
        schedule(pk, post_at)


def connect() -> None:
    items_live.connect(on_items_live, dispatch_uid="relais-social-items-live")
    # the worker's clock looks for deliveries that nothing carries on (a killed worker, a lost
    # queued task)
    seconds = conf.delivery()["resume_every"]
    if seconds:
        register(Job("social_resume", every(seconds), resume_task.enqueue))
    connect_recovery()
    # the posts run concurrently in a worker, each network and account in its own lane
    run_concurrently("syndication", threads=fanout.threads, lanes=fanout.lanes, limit=fanout.limit)
    register_figure(Figure("failing_deliveries", failing_count, failing_warning))


def failing_warning(count: int) -> str:
    return ngettext(
        "%(count)s publication sur les réseaux est en échec ou à vérifier : voyez « Réseaux ».",
        "%(count)s publications sur les réseaux sont en échec ou à vérifier : voyez « Réseaux ».",
        count,
    ) % {"count": count}


def connect_recovery() -> None:
    """What the recovery of a dead worker does for syndication (cms.publishing.recovery)."""
    rerunnable(
        deliver_task,
        "the ledger posts an item once per account: a delivery left sending is looked for on "
        "the network before anything is sent again",
        before=release_abandoned,
    )
    rerunnable(resume_task, "it only enqueues the deliveries that nothing carries on")
    register_step("resume_deliveries", resume)
