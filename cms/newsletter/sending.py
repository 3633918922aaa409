"""Sending a digest exactly once to each subscriber, paced, resumable.

The ledger is :class:`DigestDelivery`, one row per (digest, subscriber). Its states:

- ``pending`` — enlisted, not tried yet. The rows are written when the digest starts sending
  (:meth:`DigestSender.enlist`), for the addresses confirmed at that moment.
- ``sending`` — the **intent**: the row was claimed (one ``UPDATE … WHERE state='pending'``,
  committed before the SMTP conversation starts, so two senders never both claim it) and its
  Message-ID fixed. Then the mail is handed to the SMTP server.
- ``sent`` — the server accepted it (the row is marked right after).
- ``pending`` again — the server refused or the connection failed *before* accepting it
  (smtplib raised): nothing left, the row is tried again by the next run.
- ``failed`` — the server refused the address for good (5xx at ``RCPT``): the subscriber is
  marked bounced.
- ``skipped`` — the subscriber left (unsubscribed, bounced) before their turn.
- ``uncertain`` — a row found in ``sending`` longer than ``RELAIS_NEWSLETTER_UNCERTAIN_AFTER``:
  its worker died between the intent and the mark, and nobody knows whether the server got the
  mail. **It is never resent by itself** (at-most-once for these rows): a second copy of a
  newsletter in someone's mailbox is what makes people press "spam", which hurts every later
  delivery of the association, whereas one missed digest is made up by the next one. The admin
  shows how many rows are uncertain.

A run (:meth:`DigestSender.run`) marks the stale intents uncertain, then sends the pending rows
one by one at the association's pace (``per_second``), over one SMTP connection, and marks the
digest sent when no row is left to send. A run that stops halfway (an exception, a killed
worker) is resumed by the worker's clock (:func:`stalled_digests`).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F, Max, Q
from django.utils import timezone

from . import mail
from .models import Digest, DigestDelivery, NewsletterSettings, Subscriber

logger = logging.getLogger(__name__)

State = DigestDelivery.State
#: A digest whose last attempt is older than this, with rows left, has lost its sender.
STALLED_AFTER = dt.timedelta(minutes=2)


class DigestSender:
    """Sends one digest; ``sleep`` and ``now`` are for tests."""

    def __init__(
        self,
        digest: Digest,
        connection: BaseEmailBackend | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = timezone.now,
    ):
        self.digest = digest
        self.connection = connection
        self.sleep = sleep
        self.now = now
        self.pace = 1 / max(1, NewsletterSettings.for_site(digest.site_id).per_second)

    # -- phases -------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        """Send what is left of the digest; returns the rows per state."""
        self.enlist()
        self.mark_uncertain()
        connection = self.connection or get_connection()
        connection.open()
        try:
            for row in self.pending_rows():
                if self.send_one(row, connection):
                    self.sleep(self.pace)
        finally:
            connection.close()
        self.finish()
        return self.counts()

    def enlist(self) -> int:
        """Once per digest: a pending row for every address confirmed now."""
        claimed = Digest.objects.filter(pk=self.digest.pk, status=Digest.Status.READY).update(
            status=Digest.Status.SENDING
        )
        if not claimed:
            return 0
        subscribers = Subscriber.objects.filter(
            site_id=self.digest.site_id, status=Subscriber.Status.CONFIRMED
        ).values_list("pk", flat=True)
        rows = [DigestDelivery(digest=self.digest, subscriber_id=pk) for pk in subscribers]
        DigestDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)

    def mark_uncertain(self) -> int:
        limit = self.now() - dt.timedelta(seconds=settings.RELAIS_NEWSLETTER_UNCERTAIN_AFTER)
        return DigestDelivery.objects.filter(
            digest=self.digest, state=State.SENDING, attempted_at__lt=limit
        ).update(state=State.UNCERTAIN)

    def pending_rows(self) -> Iterator[DigestDelivery]:
        """The rows left to send, each read again at its turn (its subscriber may have left
        meanwhile)."""
        pks = list(
            DigestDelivery.objects.filter(digest=self.digest, state=State.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in pks:
            row = DigestDelivery.objects.select_related("subscriber").filter(pk=pk).first()
            if row is not None and row.state == State.PENDING:
                yield row

    def send_one(self, row: DigestDelivery, connection: BaseEmailBackend) -> bool:
        """Claim ``row``, hand its mail to the server, mark it; True when a mail left."""
        if row.subscriber.status != Subscriber.Status.CONFIRMED:
            DigestDelivery.objects.filter(pk=row.pk, state=State.PENDING).update(
                state=State.SKIPPED
            )
            return False
        msgid = mail.message_id()
        claimed = DigestDelivery.objects.filter(pk=row.pk, state=State.PENDING).update(
            state=State.SENDING,
            attempted_at=self.now(),
            message_id=msgid,
            attempts=F("attempts") + 1,
        )
        if not claimed:  # another sender has it
            return False
        message = mail.digest_for(self.digest, row.subscriber, msgid, connection)
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            if permanent(exc):
                self.refused(row, exc)
                return False
            self.release(row, exc)
            raise
        except Exception as exc:
            self.release(row, exc)
            raise
        DigestDelivery.objects.filter(pk=row.pk).update(state=State.SENT, sent_at=self.now())
        return True

    def finish(self) -> bool:
        """The digest is sent when no row is left to send (uncertain ones are not resent)."""
        left = DigestDelivery.objects.filter(
            digest=self.digest, state__in=[State.PENDING, State.SENDING]
        )
        if left.exists():
            return False
        Digest.objects.filter(pk=self.digest.pk, status=Digest.Status.SENDING).update(
            status=Digest.Status.SENT, sent_at=self.now()
        )
        return True

    # -- outcomes ------------------------------------------------------------------------------

    def release(self, row: DigestDelivery, exc: Exception) -> None:
        """The server did not accept the mail: the row is pending again, for the next run."""
        logger.warning("Digest %s, delivery %s: not sent (%s)", row.digest_id, row.pk, type(exc))
        DigestDelivery.objects.filter(pk=row.pk, state=State.SENDING).update(
            state=State.PENDING, reason=type(exc).__name__
        )

    def refused(self, row: DigestDelivery, exc: smtplib.SMTPRecipientsRefused) -> None:
        code, answer = next(iter(exc.recipients.values()))
        DigestDelivery.objects.filter(pk=row.pk).update(
            state=State.FAILED, reason=f"{code} {answer.decode(errors='replace')}"[:500]
        )
        Subscriber.objects.filter(pk=row.subscriber_id).update(status=Subscriber.Status.BOUNCED)

    def counts(self) -> dict[str, int]:
        rows = DigestDelivery.objects.filter(digest=self.digest)
        return {state: rows.filter(state=state).count() for state in State.values}


def permanent(exc: smtplib.SMTPRecipientsRefused) -> bool:
    return all(code >= 500 for code, _answer in exc.recipients.values())


def stalled_digests(now: dt.datetime | None = None) -> list[int]:
    """Digests being sent whose sender seems gone (nothing attempted for a while) and that
    still have rows to send, and scheduled digests composed but never started: the clock
    resumes them."""
    now = now or timezone.now()
    forgotten = Digest.objects.filter(
        status=Digest.Status.READY,
        kind=Digest.Kind.SCHEDULED,
        created_at__lt=now - STALLED_AFTER,
    ).values_list("pk", flat=True)
    digests = Digest.objects.filter(status=Digest.Status.SENDING).annotate(
        last_attempt=Max("deliveries__attempted_at")
    )
    return [*forgotten] + [
        d.pk
        for d in digests.filter(Q(last_attempt=None) | Q(last_attempt__lt=now - STALLED_AFTER))
        if d.deliveries.filter(state__in=[State.PENDING, State.SENDING]).exists()
    ]
