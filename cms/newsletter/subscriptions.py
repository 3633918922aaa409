"""A subscriber's life: subscribe (pending), confirm (double opt-in), unsubscribe, bounce.

Every way in — the sign-up form's "receive the news", the subscribe form of the static site, the
admin — goes through :func:`subscribe`, which never sends anything but the confirmation mail
(queued once the transaction commits): the digests go to confirmed addresses only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Subscriber, new_token
from .tasks import send_confirmation

Status = Subscriber.Status


def subscribe(site_id: int, email: str, name: str = "", source: str = "site") -> Subscriber:
    """The address ``email`` asks for ``site_id``'s news: a new subscriber waiting for
    confirmation (the confirmation mail is queued), or the existing one. An address already
    confirmed gets no new mail; a pending one gets its confirmation again; one that left or
    bounced starts again from pending, with fresh tokens."""
    email = email.strip()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(site_id=site_id, email__iexact=email)
        ).first()
        if subscriber is None:
            subscriber = Subscriber.objects.create(
                site_id=site_id, email=email, name=name.strip()[:150], source=source
            )
        elif subscriber.status == Status.CONFIRMED:
            return subscriber
        elif subscriber.status in (Status.UNSUBSCRIBED, Status.BOUNCED):
            subscriber.status = Status.PENDING
            subscriber.confirm_token = new_token()
            subscriber.unsubscribe_token = new_token()
            subscriber.confirmed_at = subscriber.unsubscribed_at = None
            subscriber.save()
        pk = subscriber.pk
        transaction.on_commit(lambda: send_confirmation.enqueue(pk))
    return subscriber


def confirm(token: str) -> Subscriber | None:
    """Follow a confirmation link: the pending subscriber becomes confirmed (a link followed
    twice changes nothing). ``None`` for an unknown token."""
    subscriber = Subscriber.objects.filter(confirm_token=token).first()
    if subscriber is None:
        return None
    if subscriber.status == Status.PENDING:
        Subscriber.objects.filter(pk=subscriber.pk, status=Status.PENDING).update(
            status=Status.CONFIRMED, confirmed_at=timezone.now()
        )
        subscriber.refresh_from_db()
    return subscriber


def unsubscribe(token: str) -> Subscriber | None:
    """One click: the subscriber of ``token`` receives nothing more. ``None`` for an unknown
    token."""
    subscriber = Subscriber.objects.filter(unsubscribe_token=token).first()
    if subscriber is None:
        return None
    if subscriber.status != Status.UNSUBSCRIBED:
        subscriber.status = Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


def mark_bounced(site_id: int | None, emails: Iterable[str]) -> int:
    """Addresses that bounced permanently receive nothing more (of ``site_id``'s letter, or of
    every association's when ``None``); returns how many subscribers changed."""
    changed = 0
    for email in emails:
        rows = Subscriber.objects.filter(email__iexact=email.strip()).exclude(status=Status.BOUNCED)
        if site_id is not None:
            rows = rows.filter(site_id=site_id)
        changed += rows.update(status=Status.BOUNCED)
    return changed
