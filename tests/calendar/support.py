"""Builders of the calendar tests: accounts, posts of the ledger at given days, scheduled items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cms.social.models import Delivery, SocialAccount


def at(days: int, hour: int = 10, minute: int = 30) -> dt.datetime:
    """``days`` from today (local), at ``hour``:``minute`` local time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def account(site: Any, network: str = "mastodon", name: str = "Alumni", **fields) -> SocialAccount:
    made = SocialAccount(
        site=site,
        network=network,
        display_name=f"{name} {network}",
        remote_id=f"id-{network}-{name.lower()}-{site.pk}",
        connected_at=fields.pop("connected_at", timezone.now() - dt.timedelta(days=90)),
        **fields,
    )
    made.set_credentials({"access_token": "jeton-secret"})
    made.save()
    return made


def post(
    acc: SocialAccount,
    page: Any = None,
    *,
    post_at: dt.datetime | None = None,
    sent_at: dt.datetime | None = None,
    key: str = "",
    state: str | None = None,
) -> Delivery:
    """A post of ``acc``: waiting until ``post_at``, or sent at ``sent_at``."""
    when = sent_at or post_at
    return Delivery.objects.create(
        account=acc,
        page=page,
        item_key=key or f"actualites/article-{acc.pk}-{when:%Y%m%d%H%M}",
        network=acc.network,
        state=state or (Delivery.State.SENT if sent_at else Delivery.State.PENDING),
        post_at=post_at,
        attempted_at=sent_at,
        remote_id="p" if sent_at else "",
    )


def schedule_item(page: Any, go_live_at: dt.datetime, texts: dict | None = None) -> Any:
    """Schedule ``page`` (not live) to go live at ``go_live_at``, as Wagtail's "Publier"
    with a go-live date does: the revision is approved for then."""
    page.go_live_at = go_live_at
    if texts is not None:
        page.social_texts = texts
    revision = page.save_revision()
    revision.publish()
    revision.refresh_from_db()
    assert revision.approved_go_live_at == go_live_at, "Wagtail did not schedule the revision"
    return revision
