"""The newsletter's background work, on the ``maintenance`` queue: the confirmation mail, the
sending of a digest, a test copy, and the clock's tick (compose what is due, resume what
stalled). Tasks take ids, never addresses: nothing personal waits in the queue."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import archive, composing, mail, schedule, sending
from .models import Digest, NewsletterSettings, Subscriber


@task(backend="relais", queue_name="maintenance")
def send_confirmation(subscriber_id: int) -> bool:
    """The double opt-in mail, to a subscriber still waiting for it."""
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, status=Subscriber.Status.PENDING
    ).first()
    if subscriber is None:
        return False
    mail.confirmation(subscriber).send()
    return True


@task(backend="relais", queue_name="maintenance")
def send_digest(digest_id: int) -> dict[str, int]:
    digest = Digest.objects.get(pk=digest_id)
    return sending.DigestSender(digest).run()


@task(backend="relais", queue_name="maintenance")
def send_test(digest_id: int, user_id: int) -> bool:
    """A copy of the digest to an editor's own address."""
    digest = Digest.objects.filter(pk=digest_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if digest is None or user is None or not user.email:
        return False
    mail.test_digest(digest, user.email).send()
    return True


def compose_due(now: dt.datetime | None = None) -> list[int]:
    """Compose the digest of every association whose slot has come; returns the digests made
    (an association with nothing new gets none, and waits for its next slot)."""
    now = now or timezone.now()
    made = []
    for config in NewsletterSettings.objects.exclude(frequency=NewsletterSettings.Frequency.OFF):
        if not schedule.is_due(config, now):
            continue
        with transaction.atomic():
            claimed = NewsletterSettings.objects.filter(
                pk=config.pk, last_run_at=config.last_run_at
            ).update(last_run_at=now)
            if not claimed:
                continue
            digest = composing.compose(config.site, schedule.period_start(config, now), now)
        if digest is not None:
            made.append(digest.pk)
    return made


@task(backend="relais", queue_name="maintenance")
def newsletter_tick() -> dict[str, list[int]]:
    """The clock's job: compose the digests that are due and queue them, queue again the
    digests whose sending stopped halfway, and put the letters sent since on the sites'
    archive pages."""
    composed = compose_due()
    resumed = [pk for pk in sending.stalled_digests() if pk not in composed]
    for pk in [*composed, *resumed]:
        send_digest.enqueue(pk)
    archived = archive.archive_sent()
    return {"composed": composed, "resumed": resumed, "archived": archived}


@task(backend="relais", queue_name="maintenance")
def update_archive_task(site_id: int) -> bool:
    """The archive page of an association's letters, written again (its settings changed)."""
    return archive.update_archive(site_id)
