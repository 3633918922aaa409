"""Who an item is shared with, and the offers its publication makes.

Only the federation and the regional unions share, and only with the associations below them
(:mod:`cms.federation.tree`). A chosen list or chosen sectors narrow that set; they never
reach an association of another branch.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from wagtail.models import Page

from cms.federation.models import Association
from cms.federation.tree import SHARING_KINDS as SHARING_KINDS  # the pool's views use it
from cms.federation.tree import below, can_share

from .models import Offer, Share


def targets(share: Share, source: Association) -> list[Association]:
    """The associations ``share`` offers its item to."""
    if not can_share(source):
        return []
    candidates = below(source)
    if share.mode == Share.Mode.CHOSEN:
        chosen = set(share.associations.values_list("pk", flat=True))
        return [a for a in candidates if a.pk in chosen]
    if share.mode == Share.Mode.SECTORS:
        sectors = set(share.sectors.values_list("pk", flat=True))
        with_sector = set(
            Association.objects.filter(sectors__in=sectors).values_list("pk", flat=True)
        )
        return [a for a in candidates if a.pk in with_sector]
    return candidates


def share_of(page: Page) -> Share | None:
    return Share.objects.filter(page_id=page.pk).first()


def make_offers(page: Page) -> list[Offer]:
    """One offer per target association of the live ``page``'s share that has none yet;
    returns the new ones. Nothing for a page without a share, or not live."""
    share = share_of(page)
    if share is None or not page.live:
        return []
    source = Association.for_page(page)
    created = []
    with transaction.atomic():
        for association in targets(share, source):
            offer, new = Offer.objects.get_or_create(original_id=page.pk, association=association)
            if new:
                created.append(offer)
    return created


def original_changed(page: Any) -> int:
    """The original ``page`` was published again: flag the offers whose copy was made from an
    earlier version. Returns how many were flagged."""
    revision_id = page.live_revision_id
    return (
        Offer.objects.filter(original_id=page.pk, copy__isnull=False)
        .exclude(copied_revision_id=revision_id)
        .update(original_changed=True)
    )
