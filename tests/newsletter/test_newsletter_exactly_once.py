"""Exactly-once sending against the real SMTP server: a sender that stops after N mails is
resumed and nobody gets the digest twice nor is skipped; a worker killed between handing a mail
to the server and marking it leaves an *uncertain* row that is never resent; a mailbox the
server refuses for good is marked bounced; sending is paced."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.utils import timezone

from cms.newsletter import composing, sending
from cms.newsletter.models import Digest, DigestDelivery, NewsletterSettings, Subscriber

from .conftest import live_item

pytestmark = pytest.mark.django_db

State = DigestDelivery.State


class Crash(Exception):
    """The sender fails before handing the mail over (the connection broke, the server said
    no): what smtplib raises."""


class Killed(BaseException):
    """The worker dies: nothing of the sender's code runs after it (like SIGKILL)."""


class FailingBackend(EmailBackend):
    """Django's SMTP backend that fails at its ``fail_at``-th message: before sending it
    (``after=False``), or after the server accepted it (``after=True``, a kill)."""

    def __init__(self, fail_at: int, after: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.fail_at, self.after, self.calls = fail_at, after, 0

    def send_messages(self, messages):
        self.calls += 1
        if self.calls == self.fail_at and not self.after:
            raise Crash("connection lost")
        sent = super().send_messages(messages)
        if self.calls == self.fail_at and self.after:
            raise Killed
        return sent


def subscribers(site, count: int) -> list[str]:
    addresses = [f"ancien{i:02d}@example.org" for i in range(count)]
    for address in addresses:
        Subscriber.objects.create(site=site, email=address, source="site", status="confirmed")
    return addresses


def a_digest(tree) -> Digest:
    live_item(tree, "Nomination de Léa Martin", "nomination-lea-martin")
    now = timezone.now()
    return composing.compose(tree["site"], now - dt.timedelta(days=7), now)


def no_sleep(seconds: float) -> None:
    pass


def test_a_sender_that_stops_is_resumed_nobody_twice_nobody_skipped(site_a, smtp):
    addresses = subscribers(site_a["site"], 10)
    digest = a_digest(site_a)

    with pytest.raises(Crash):
        sending.DigestSender(digest, FailingBackend(fail_at=5), sleep=no_sleep).run()
    assert len(smtp.messages) == 4
    states = Counter(DigestDelivery.objects.values_list("state", flat=True))
    assert states == {State.SENT: 4, State.PENDING: 6}
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENDING

    # The clock finds it stalled once its sender has been silent for a while
    assert sending.stalled_digests() == []
    later = timezone.now() + dt.timedelta(minutes=3)
    assert sending.stalled_digests(later) == [digest.pk]
    counts = sending.DigestSender(digest, sleep=no_sleep).run()
    assert counts[State.SENT] == 10

    assert sorted(smtp.recipients()) == sorted(addresses)  # each exactly once
    assert len(set(m["Message-ID"] for _r, m in smtp.messages)) == 10
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT
    # Resuming a sent digest sends nothing
    sending.DigestSender(digest, sleep=no_sleep).run()
    assert len(smtp.messages) == 10


def test_a_worker_killed_after_the_server_accepted_leaves_an_uncertain_row(site_a, smtp, settings):
    addresses = subscribers(site_a["site"], 6)
    digest = a_digest(site_a)

    with pytest.raises(Killed):
        sending.DigestSender(digest, FailingBackend(fail_at=3, after=True), sleep=no_sleep).run()
    assert len(smtp.messages) == 3
    limbo = DigestDelivery.objects.get(state=State.SENDING)
    in_limbo = smtp.recipients()[2]  # the third mail left, and its row was never marked
    assert limbo.subscriber.email == in_limbo

    # Resumed at once: the row in limbo is neither resent nor given up yet
    sending.DigestSender(digest, sleep=no_sleep).run()
    assert sorted(smtp.recipients()) == sorted(addresses)
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENDING

    # Long after: it is uncertain, still not resent, and the digest is done
    later = timezone.now() + dt.timedelta(seconds=settings.RELAIS_NEWSLETTER_UNCERTAIN_AFTER + 60)
    sending.DigestSender(digest, sleep=no_sleep, now=lambda: later).run()
    limbo.refresh_from_db()
    assert limbo.state == State.UNCERTAIN
    assert Counter(smtp.recipients())[in_limbo] == 1
    assert len(smtp.messages) == 6
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT


def test_a_mailbox_refused_for_good_is_bounced_and_the_others_are_sent(site_a, smtp):
    addresses = subscribers(site_a["site"], 2)
    Subscriber.objects.create(
        site=site_a["site"], email="inconnu@example.org", source="site", status="confirmed"
    )
    digest = a_digest(site_a)
    sending.DigestSender(digest, sleep=no_sleep).run()
    assert sorted(smtp.recipients()) == sorted(addresses)
    refused = DigestDelivery.objects.get(subscriber__email="inconnu@example.org")
    assert refused.state == State.FAILED and refused.reason.startswith("550")
    assert refused.subscriber.status == Subscriber.Status.BOUNCED


def test_someone_who_leaves_during_the_sending_is_skipped(site_a, smtp):
    addresses = subscribers(site_a["site"], 3)
    digest = a_digest(site_a)
    sender = sending.DigestSender(digest, sleep=no_sleep)
    sender.enlist()  # the digest starts with three rows
    Subscriber.objects.filter(email=addresses[1]).update(status="unsubscribed")
    sender.run()
    assert sorted(smtp.recipients()) == [addresses[0], addresses[2]]
    assert DigestDelivery.objects.get(subscriber__email=addresses[1]).state == State.SKIPPED


def test_sending_is_paced(site_a, smtp):
    subscribers(site_a["site"], 3)
    NewsletterSettings.objects.update_or_create(site=site_a["site"], defaults={"per_second": 4})
    digest = a_digest(site_a)
    pauses: list[float] = []
    sending.DigestSender(digest, sleep=pauses.append).run()
    assert pauses == [0.25, 0.25, 0.25]
    assert len(smtp.messages) == 3
