"""Syndication starts when items are live on the static site (``items_live``), never before:
the networks fetch the link card from the live page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from cms.publishing.signals import items_live

logger = logging.getLogger(__name__)


def on_items_live(
    sender: Any,
    page_ids: Iterable[int] = (),
    first_live_ids: Iterable[int] = (),
    **kwargs: Any,
) -> None:
    """Plan and enqueue one delivery per (item, account) for items live for the first time;
    carry on the deliveries that waited for a new version of their item to be live."""
    from cms.content.models import ItemPage
    from cms.publishing.models import ExportRecord

    from .models import Delivery
    from .planning import enqueue, plan
    from .tasks import schedule

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


def on_task_finished(sender: Any, task_result: Any = None, **kwargs: Any) -> None:
    """Whenever the worker finishes a task (its clock runs one every minute), and at most every
    ``resume_every`` seconds, enqueue the task that carries on forgotten deliveries."""
    from django.core.cache import cache

    from . import conf
    from .tasks import resume_task

    every = conf.delivery()["resume_every"]
    if not every or getattr(getattr(task_result, "task", None), "name", "") == "resume_task":
        return
    if cache.add("relais-social-resume", 1, timeout=every):
        try:
            resume_task.enqueue()
        except Exception:
            logger.exception("Could not enqueue the resume of deliveries")


def connect() -> None:
    from django_tasks.signals import task_finished

    items_live.connect(on_items_live, dispatch_uid="relais-social-items-live")
    task_finished.connect(on_task_finished, dispatch_uid="relais-social-resume")
