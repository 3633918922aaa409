"""Which posts to make: one delivery per (item, account) on first publish, and a new round when
an editor asks to post again. Creating the ``Delivery`` rows *is* the intent; the tasks that
carry them out are enqueued after the transaction commits.

When a post goes out: the editor's own time for that network (the Social tab), else the
account's next free posting slot when the editor chose it (:mod:`cms.social.slots`; as soon as
live when the account has no free slot), else what the
functions registered with the Wagtail hook ``relais_delivery_post_at`` say (the first that
answers; each is called as ``fn(page, account)`` inside the transaction that creates the
delivery, and returns a time or None), else as soon as the item is live. The pool
(:mod:`cms.pool.spreading`) uses the hook to spread the posts of adopted copies of one item.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from wagtail import hooks

from .compose import post_at_for, wants_next_slot
from .models import Delivery, SocialAccount
from .slots import next_free_slot
from .tasks import schedule

logger = logging.getLogger(__name__)


def item_key_of(record: Any) -> str:
    """``<section>/<slug>``, as the composed post's ``item_key`` (``Item.key``)."""
    return record.path.removesuffix(".md")


def round_key(base: str, round_number: int) -> str:
    return base if round_number == 1 else f"{base}#{round_number}"


def accounts_for(page: Any, networks: Iterable[str] | None = None) -> list[SocialAccount]:
    """The active accounts of the page's site (of ``networks`` only, when given)."""
    site = page.get_site()
    if site is None:
        return []
    accounts = SocialAccount.objects.filter(site=site, active=True).order_by("network", "pk")
    if networks is not None:
        accounts = accounts.filter(network__in=list(networks))
    return list(accounts)


POST_AT_HOOK = "relais_delivery_post_at"


def planned_post_at(page: Any, account: SocialAccount) -> dt.datetime | None:
    """When the first post of ``page`` on ``account`` goes out (see the module's docstring)."""
    own = post_at_for(getattr(page, "social_texts", None), account.network)
    if own is not None:
        return own
    if wants_next_slot(getattr(page, "social_texts", None), account.network):
        return next_free_slot(account)
    for fn in hooks.get_hooks(POST_AT_HOOK):
        when = fn(page, account)
        if when is not None:
            return when
    return None


def plan(
    page: Any,
    record: Any,
    *,
    accounts: Iterable[SocialAccount] | None = None,
    again: bool = False,
    user: Any = None,
) -> list[Delivery]:
    """Create the deliveries of ``page`` (exported as ``record``) and return the new ones.

    Without ``again``, an account that already has a delivery of this page gets nothing: the
    first publish posts once, re-publishing after an edit posts nothing. With ``again`` (the
    editor's "Post again"), each account gets a new round, unless its last one is still on
    its way.
    """
    base = item_key_of(record)
    created: list[Delivery] = []
    for account in accounts if accounts is not None else accounts_for(page):
        last = Delivery.objects.filter(page_id=page.pk, account=account).order_by("-round").first()
        if last is not None and not again:
            continue
        if last is not None and not last.is_final:
            logger.info("Delivery %s is still on its way: no new round", last.pk)
            continue
        number = last.round + 1 if last is not None else 1
        with transaction.atomic():
            delivery, new = Delivery.objects.get_or_create(
                item_key=round_key(base, number),
                account=account,
                defaults={
                    "network": account.network,
                    "page_id": page.pk,
                    "round": number,
                    "post_at": planned_post_at(page, account),
                    "requested_by": user if getattr(user, "pk", None) else None,
                },
            )
        if new:
            created.append(delivery)
    return created


def enqueue(deliveries: Iterable[Delivery]) -> None:
    for delivery in deliveries:
        schedule(delivery.pk, delivery.post_at)
