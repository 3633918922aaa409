"""The one reminder of a members' survey, to the people invited who have not answered.

A survey "réservé aux adhérents" with a closing date and ``remind_days`` reminds from
``closes_at - remind_days`` (:meth:`~.models.SurveyPage.remind_at`) until it closes. The worker's
clock looks for such surveys (:func:`send_due_reminders`, see :mod:`.apps`); for each, one
:class:`~.models.SurveyReminder` row is written ``pending`` for every invitation that was
**sent before the reminders' time** (someone invited later has just had the invitation),
**not answered** and whose subscriber is **still confirmed** (:func:`enlist`). Each row is
claimed (``pending`` → ``sending``, one ``UPDATE``) before its mail is handed to the SMTP
server, then marked ``sent``: the invitations' ledger (:mod:`.invitations`), with the same
states. Just before the claim, the person's answer and subscription are read again: who
answered or unsubscribed meanwhile gets nothing (``skipped``). A row left ``sending`` by a
killed worker becomes ``uncertain`` and is never sent again: one reminder per person at
most, even when the clock and a restarted worker both run. The reminder carries the
invitation's own token link and the newsletter's one-click unsubscribe.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F
from django.utils import timezone

from cms.newsletter import mail
from cms.newsletter.models import NewsletterSettings, Subscriber
from cms.newsletter.sending import permanent

from .invitations import invitation_message
from .models import SurveyInvitation, SurveyPage, SurveyReminder

logger = logging.getLogger(__name__)
State = SurveyReminder.State


def reminding(survey: SurveyPage, now: dt.datetime) -> bool:
    """Whether ``survey``'s reminders are due at ``now`` (live, open, past its reminders' time)."""
    remind_at = survey.remind_at()
    return (
        survey.live and remind_at is not None and remind_at <= now and survey.state(now) == "open"
    )


def enlist(survey: SurveyPage) -> int:
    """A pending reminder for each invitation sent before the reminders' time, not answered,
    to a subscriber still confirmed, and not reminded yet; returns how many were added."""
    remind_at = survey.remind_at()
    if remind_at is None:
        return 0
    invitations = (
        SurveyInvitation.objects.filter(
            survey=survey,
            state=SurveyInvitation.State.SENT,
            sent_at__lt=remind_at,
            answered_on=None,
            subscriber__status=Subscriber.Status.CONFIRMED,
            reminder__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = [SurveyReminder(invitation_id=pk) for pk in invitations]
    SurveyReminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


class ReminderSender:
    """Sends the due reminders of one survey; ``sleep`` and ``now`` are for tests."""

    def __init__(
        self,
        survey: SurveyPage,
        connection: BaseEmailBackend | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = timezone.now,
    ):
        self.survey = survey
        self.connection = connection
        self.sleep = sleep
        self.now = now
        site_id = survey.get_site().pk
        self.pace = 1 / max(1, NewsletterSettings.for_site(site_id).per_second)

    def run(self) -> int:
        """Enlist and send; returns the number of reminders sent by this run."""
        self.mark_uncertain()
        if not reminding(self.survey, self.now()):
            return 0
        enlist(self.survey)
        pks = list(
            SurveyReminder.objects.filter(invitation__survey=self.survey, state=State.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not pks:
            return 0
        sent = 0
        connection = self.connection or get_connection()
        connection.open()
        try:
            for pk in pks:
                row = SurveyReminder.objects.select_related(
                    "invitation__subscriber", "invitation__survey"
                ).get(pk=pk)
                if row.state == State.PENDING and self.send_one(row, connection):
                    sent += 1
                    self.sleep(self.pace)
        finally:
            connection.close()
        return sent

    def mark_uncertain(self) -> int:
        limit = self.now() - dt.timedelta(seconds=settings.RELAIS_NEWSLETTER_UNCERTAIN_AFTER)
        return SurveyReminder.objects.filter(
            invitation__survey=self.survey, state=State.SENDING, attempted_at__lt=limit
        ).update(state=State.UNCERTAIN)

    def send_one(self, row: SurveyReminder, connection: BaseEmailBackend) -> bool:
        invitation = row.invitation
        subscriber = invitation.subscriber
        if (
            invitation.answered_on is not None
            or subscriber is None
            or subscriber.status != Subscriber.Status.CONFIRMED
        ):
            SurveyReminder.objects.filter(pk=row.pk, state=State.PENDING).update(
                state=State.SKIPPED
            )
            return False
        msgid = mail.message_id()
        claimed = SurveyReminder.objects.filter(pk=row.pk, state=State.PENDING).update(
            state=State.SENDING,
            attempted_at=self.now(),
            message_id=msgid,
            attempts=F("attempts") + 1,
        )
        if not claimed:  # another run claimed it
            return False
        try:
            invitation_message(invitation, msgid, connection, reminder=True).send()
        except smtplib.SMTPRecipientsRefused as exc:
            if permanent(exc):
                code, answer = next(iter(exc.recipients.values()))
                SurveyReminder.objects.filter(pk=row.pk).update(
                    state=State.FAILED, reason=f"{code} {answer.decode(errors='replace')}"[:500]
                )
                Subscriber.objects.filter(pk=subscriber.pk).update(status=Subscriber.Status.BOUNCED)
                return False
            self.release(row, exc)
            raise
        except Exception as exc:
            self.release(row, exc)
            raise
        SurveyReminder.objects.filter(pk=row.pk).update(state=State.SENT, sent_at=self.now())
        return True

    def release(self, row: SurveyReminder, exc: Exception) -> None:
        logger.warning("Survey reminder %s: not sent (%s)", row.pk, type(exc))
        SurveyReminder.objects.filter(pk=row.pk, state=State.SENDING).update(
            state=State.PENDING, reason=type(exc).__name__
        )


def due_surveys(now: dt.datetime) -> list[SurveyPage]:
    """The live members' surveys whose reminders are due at ``now``."""
    candidates = SurveyPage.objects.live().filter(
        members_only=True, closes_at__gt=now, remind_days__isnull=False
    )
    return [s for s in candidates.order_by("pk") if reminding(s, now)]


def send_due_reminders(now: Callable[[], dt.datetime] = timezone.now) -> dict[str, int]:
    """Send the reminders due in every association; what was sent, per survey id."""
    sent: dict[str, int] = {}
    for survey in due_surveys(now()):
        sent[str(survey.pk)] = ReminderSender(survey, now=now).run()
    return sent
