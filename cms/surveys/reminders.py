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
from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from cms.newsletter.models import Subscriber

from .invitations import LedgerSender, invitation_message
from .models import SurveyInvitation, SurveyPage, SurveyReminder

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


class ReminderSender(LedgerSender):
    """Sends the due reminders of one survey."""

    model = SurveyReminder
    survey_lookup = "invitation__survey"
    related = ("invitation__subscriber", "invitation__survey")

    def run(self) -> int:
        """Enlist and send; returns the number of reminders sent by this run."""
        self.mark_uncertain()
        if not reminding(self.survey, self.now()):
            return 0
        enlist(self.survey)
        return self.send_pending()

    def subscriber(self, row: SurveyReminder) -> Subscriber | None:
        return row.invitation.subscriber

    def wanted(self, row: SurveyReminder) -> bool:
        """Who answered or unsubscribed since the reminders were enlisted gets nothing."""
        return row.invitation.answered_on is None and super().wanted(row)

    def message(
        self, row: SurveyReminder, msgid: str, connection: BaseEmailBackend
    ) -> EmailMultiAlternatives:
        return invitation_message(row.invitation, msgid, connection, reminder=True)


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
