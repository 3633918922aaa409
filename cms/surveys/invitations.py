"""Invitations to a survey by e-mail, to the association's confirmed subscribers of the news,
each with a personal link; sent with the newsletter's machinery and ledger discipline.

One :class:`SurveyInvitation` row per (survey, subscriber), with the newsletter's states (see
:mod:`cms.newsletter.sending`): ``pending`` rows are written for every address confirmed when
the sending starts (:func:`enlist`, again at every run: a subscriber confirmed later is invited
by the next run); each row is **claimed** (``pending`` → ``sending``, one ``UPDATE``) before
its mail is handed to the SMTP server, then marked ``sent``; a refusal before acceptance puts
it back to ``pending``, a permanent refusal marks it ``failed`` and the subscriber bounced; a
row left ``sending`` by a dead worker becomes ``uncertain`` and is never sent again. The mails
leave at the association's pace (``per_second`` of the newsletter's settings), carry the
newsletter's one-click unsubscribe (link and ``List-Unsubscribe`` headers) and the person's
own token link to the form.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cms.newsletter import mail
from cms.newsletter.models import NewsletterSettings, Subscriber
from cms.newsletter.sending import permanent
from relais.french import interpolate

from .models import SurveyInvitation, SurveyPage, SurveyReminder

logger = logging.getLogger(__name__)
State = SurveyInvitation.State


def enlist(survey: SurveyPage) -> int:
    """A pending invitation for every address of the association confirmed now and not yet
    invited; returns how many were added."""
    site_id = survey.get_site().pk
    invited = SurveyInvitation.objects.filter(survey=survey).values("subscriber_id")
    subscribers = (
        Subscriber.objects.filter(site_id=site_id, status=Subscriber.Status.CONFIRMED)
        .exclude(pk__in=invited)
        .values_list("pk", flat=True)
    )
    rows = [SurveyInvitation(survey=survey, subscriber_id=pk) for pk in subscribers]
    SurveyInvitation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def invitation_message(
    invitation: SurveyInvitation,
    msgid: str,
    connection: BaseEmailBackend | None = None,
    *,
    reminder: bool = False,
) -> EmailMultiAlternatives:
    """The mail of ``invitation`` (its reminder when ``reminder``: the same personal link)."""
    survey, subscriber = invitation.survey, invitation.subscriber
    assert subscriber is not None
    site_id = subscriber.site_id
    unsubscribe = mail.unsubscribe_url(subscriber)
    closes = (
        formats.date_format(timezone.localtime(survey.closes_at), "j F Y à H:i")
        if survey.closes_at
        else ""
    )
    context = {
        "association": mail.association_name(site_id),
        "survey": survey,
        "name": subscriber.name,
        "link": survey.answer_url(invitation.token),
        "closes": closes,
        "unsubscribe_url": unsubscribe,
    }
    subject = (
        _("Rappel — enquête : %(title)s — %(association)s")
        if reminder
        else _("Enquête : %(title)s — %(association)s")
    )
    template = "surveys/mail/reminder" if reminder else "surveys/mail/invitation"
    message = EmailMultiAlternatives(
        interpolate(subject, {"title": survey.title, "association": context["association"]}),
        render_to_string(f"{template}.txt", context),
        mail.sender(site_id),
        [subscriber.email],
        connection=connection,
        headers={
            "Message-ID": msgid,
            "List-Unsubscribe": f"<{unsubscribe}>, <{mail.unsubscribe_mailto(subscriber)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


class LedgerSender(ABC):
    """Sends the ``pending`` rows of one survey's mail ledger, each exactly once: claimed
    (``pending`` → ``sending``) before its mail is handed to the SMTP server, then ``sent``; a
    refusal before acceptance puts it back to ``pending``, a permanent one marks it ``failed``
    and the subscriber bounced; a row left ``sending`` by a dead worker becomes ``uncertain``.
    The invitations and the reminders (:mod:`.reminders`) are two such ledgers; ``sleep`` and
    ``now`` are for tests."""

    #: The ledger's model, the lookup from a row to its survey, what a row's mail needs.
    model: type[SurveyInvitation] | type[SurveyReminder]
    survey_lookup: str
    related: tuple[str, ...]

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

    def rows(self, **lookups: Any) -> Any:
        return self.model.objects.filter(**{self.survey_lookup: self.survey}, **lookups)

    def send_pending(self) -> int:
        """Send the pending rows at the association's pace; returns how many were sent."""
        pks = list(self.rows(state=State.PENDING).order_by("pk").values_list("pk", flat=True))
        if not pks:
            return 0
        sent = 0
        connection = self.connection or get_connection()
        connection.open()
        try:
            for pk in pks:
                row = self.model.objects.select_related(*self.related).get(pk=pk)
                if row.state == State.PENDING and self.send_one(row, connection):
                    sent += 1
                    self.sleep(self.pace)
        finally:
            connection.close()
        return sent

    def mark_uncertain(self) -> int:
        limit = self.now() - dt.timedelta(seconds=settings.RELAIS_NEWSLETTER_UNCERTAIN_AFTER)
        return self.rows(state=State.SENDING, attempted_at__lt=limit).update(state=State.UNCERTAIN)

    # -- what differs between the ledgers --------------------------------------------------------

    @abstractmethod
    def subscriber(self, row: Any) -> Subscriber | None:
        """The person a row's mail goes to."""

    def wanted(self, row: Any) -> bool:
        """Whether the row's mail is still wanted, read just before the claim."""
        subscriber = self.subscriber(row)
        return subscriber is not None and subscriber.status == Subscriber.Status.CONFIRMED

    @abstractmethod
    def message(self, row: Any, msgid: str, connection: BaseEmailBackend) -> Any:
        """The row's mail, ready to send."""

    # -- one row ---------------------------------------------------------------------------------

    def send_one(self, row: Any, connection: BaseEmailBackend) -> bool:
        ledger = self.model.objects.filter(pk=row.pk)
        if not self.wanted(row):
            ledger.filter(state=State.PENDING).update(state=State.SKIPPED)
            return False
        msgid = mail.message_id()
        claimed = ledger.filter(state=State.PENDING).update(
            state=State.SENDING,
            attempted_at=self.now(),
            message_id=msgid,
            attempts=F("attempts") + 1,
        )
        if not claimed:  # another run claimed it
            return False
        try:
            self.message(row, msgid, connection).send()
        except smtplib.SMTPRecipientsRefused as exc:
            if permanent(exc):
                code, answer = next(iter(exc.recipients.values()))
                ledger.update(
                    state=State.FAILED, reason=f"{code} {answer.decode(errors='replace')}"[:500]
                )
                Subscriber.objects.filter(pk=self.subscriber(row).pk).update(
                    status=Subscriber.Status.BOUNCED
                )
                return False
            self.release(row, exc)
            raise
        except Exception as exc:
            self.release(row, exc)
            raise
        ledger.update(state=State.SENT, sent_at=self.now())
        return True

    def release(self, row: Any, exc: Exception) -> None:
        logger.warning(
            "Survey %s, %s %s: not sent (%s)",
            self.survey.pk,
            self.model._meta.model_name,
            row.pk,
            type(exc),
        )
        self.model.objects.filter(pk=row.pk, state=State.SENDING).update(
            state=State.PENDING, reason=type(exc).__name__
        )


class InvitationSender(LedgerSender):
    """Sends the invitations of one survey."""

    model = SurveyInvitation
    survey_lookup = "survey"
    related = ("subscriber", "survey")

    def run(self) -> dict[str, int]:
        enlist(self.survey)
        self.mark_uncertain()
        self.send_pending()
        return counts(self.survey)

    def subscriber(self, row: SurveyInvitation) -> Subscriber | None:
        return row.subscriber

    def message(
        self, row: SurveyInvitation, msgid: str, connection: BaseEmailBackend
    ) -> EmailMultiAlternatives:
        return invitation_message(row, msgid, connection)


def counts(survey: SurveyPage) -> dict[str, int]:
    rows = SurveyInvitation.objects.filter(survey=survey)
    found = {state: rows.filter(state=state).count() for state in State.values}
    found["answered"] = rows.exclude(answered_on=None).count()
    found["invited"] = found[State.SENT]
    found["reminded"] = SurveyReminder.objects.filter(
        invitation__survey=survey, state=State.SENT
    ).count()
    return found
