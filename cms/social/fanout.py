"""The fan-out: the posts to the networks run concurrently in a worker, in lanes, so that a slow
or failing network only delays its own posts.

The worker (:mod:`cms.publishing.lanes`) gives the ``syndication`` queue
``RELAIS_SOCIAL_DELIVERY["concurrency"]`` threads (64). Each ``deliver_task`` runs in two
lanes: its network (at most ``per_network`` posts under way at once, 16: a network that stalls
holds a quarter of the threads, the others go on) and its account (``per_account``, 2: an
account's posts start in the queue's order, two at a time, so that one post waiting out a
timeout does not hold up all the others of its account; 1 sends them strictly one after the
other). Other tasks of the queue (``resume_task``) run in no lane.

What another worker could race on stays in the database: a post is claimed by the ledger's
compare-and-set (``pending`` → ``sending``) and counted in the posting budgets of its account
and of the installation's application under a lock row (:mod:`cms.social.budget`), whatever
the number of threads and workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import conf
from .models import Delivery
from .tasks import deliver_task

NETWORK = "network:"
ACCOUNT = "account:"


def lanes(task_path: str, args: Sequence[Any], kwargs: dict[str, Any]) -> tuple[str, ...]:
    """The lanes of one queued task: a delivery's network and account."""
    if task_path != deliver_task.module_path:
        return ()
    delivery_id = kwargs.get("delivery_id", args[0] if args else None)
    found = Delivery.objects.filter(pk=delivery_id).values_list("network", "account_id").first()
    if found is None:  # deleted since: the task will find nothing to do
        return ()
    network, account_id = found
    return (f"{NETWORK}{network}", f"{ACCOUNT}{account_id}")


def limit(lane: str) -> int:
    """How many posts of ``lane`` may be under way at once in one worker."""
    c = conf.delivery()
    return int(c["per_network"] if lane.startswith(NETWORK) else c["per_account"])


def threads() -> int:
    return int(conf.delivery()["concurrency"])
