"""Not competing on the networks: the posts of the copies of one original are spread.

When forty associations adopt the same item, their accounts would post forty identical links
within the same minute. Each copy's first post on a network is given a place instead: the
copies of one original on one network leave at least ``window / N`` apart, N being the
number of associations the original was offered to, in the order their posts are planned
(first adopted, first posted): forty copies adopted at once leave over the whole window, one
every ``window / 40``; a copy adopted long after the others leaves at once. The window is
``RELAIS_POOL_SPREAD_MINUTES`` (180 by default; 0: no spreading). An editor's own time for a
network (the item's Social tab) always wins.

Called through the Wagtail hook ``relais_delivery_post_at`` of :mod:`cms.social.planning`,
inside the transaction that creates the delivery; the original's offers are locked meanwhile,
so that two workers planning copies of the same original do not take the same place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from cms.social.models import Delivery, SocialAccount

from .models import Offer


def window() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "RELAIS_POOL_SPREAD_MINUTES", 180)))


def post_at(
    page: Any, account: SocialAccount, now: dt.datetime | None = None
) -> dt.datetime | None:
    """The place of ``page``'s post on ``account``'s network if ``page`` is a copy of a pooled
    item, else None (the post leaves as soon as the item is live)."""
    offer = Offer.objects.filter(copy_id=page.pk).first()
    span = window()
    if offer is None or span <= dt.timedelta(0):
        return None
    now = now or timezone.now()
    offers = list(
        Offer.objects.select_for_update()
        .filter(original_id=offer.original_id)
        .values_list("copy_id", flat=True)
    )
    gap = span / max(1, len(offers))
    others = [copy_id for copy_id in offers if copy_id and copy_id != page.pk]
    last = Delivery.objects.filter(
        page_id__in=others,
        network=account.network,
        round=1,
        post_at__gt=now - span,
        post_at__lt=now + span,
    ).aggregate(last=Max("post_at"))["last"]
    return max(now, last + gap) if last is not None else now
