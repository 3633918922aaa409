"""Acting on a message from the desk: answering it in its thread (exactly once), liking it,
hiding it, and the states that follow.

An answer is posted by the library's delivery engine with :class:`~.ledger.AnswerLedger`: the
``Answer`` row is written first (by the desk, :mod:`cms.conversations.desk`), the engine writes
``sending`` before it calls the network, and an uncertain attempt (a lost response, a worker
killed mid-call) is looked up with the client's ``find_reply`` before anything is sent again.
When the answer is on the network its message becomes *answered*, and the time of the first
answer is kept for the statistics.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from cms.social.crypto import CredentialsUnreadable
from cms.social.delivery import make_engine
from cms.social.notify import mark_reconnect_needed
from syndication.conversations import HIDE, LIKE, Reply, compose_reply
from syndication.errors import ReconnectNeeded, SyndicationError
from syndication.ledger import State

from .ledger import AnswerLedger, to_entry
from .models import Answer, IncomingMessage


@dataclass(frozen=True)
class Outcome:
    """How an attempt to send an answer ended: its state, and when to try again (if ever)."""

    state: str
    run_after: dt.datetime | None = None


logger = logging.getLogger(__name__)


def answer_key(item_key: str) -> str:
    """The answer's own key, the last part of its ledger line (``reply/<net>/<id>/<key>``)."""
    return item_key.rsplit("/", 1)[-1]


def compose(message: IncomingMessage, text: str, key: str = "1") -> Reply:
    """The answer as the network will receive it (raises ``OverrideTooLong`` when too long,
    ``CapabilityError`` when the network cannot answer through its API)."""
    return compose_reply(message.as_message(), text, message.account.make_network(), key=key)


def _note(answer: Answer, reason: str, **changes: object) -> Answer:
    AnswerLedger().update(to_entry(answer), reason=reason, updated_at=timezone.now(), **changes)
    answer.refresh_from_db()
    return answer


def mark_answered(message: IncomingMessage, when: dt.datetime) -> None:
    """The message is answered; the first answer's time is kept (an earlier one stays)."""
    IncomingMessage.objects.filter(pk=message.pk, first_answer_at__isnull=True).update(
        first_answer_at=when
    )
    IncomingMessage.objects.filter(pk=message.pk).update(
        state=IncomingMessage.State.ANSWERED, action_error=""
    )


def send(answer_id: int) -> Outcome:
    """Post one answer (or note why not). Safe to run twice: the ledger says what was done."""
    answer = (
        Answer.objects.select_related("message", "account", "message__account")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        return Outcome("missing")
    if answer.is_final:
        if answer.state == State.SENT:
            mark_answered(
                answer.message, answer.attempted_at or answer.updated_at or timezone.now()
            )
        return Outcome(answer.state)
    account = answer.account
    if not account.can_post:
        answer = _note(
            answer,
            _(
                "Le compte %(account)s est déconnecté : reconnectez-le dans Paramètres → Réseaux, "
                "la réponse partira ensuite."
            )
            % {"account": account},
        )
        return Outcome(answer.state)
    try:
        reply = compose(answer.message, answer.text, key=answer_key(answer.item_key))
    except SyndicationError as exc:  # too long now (a server's limit changed), or no answers
        reason = _(
            "La réponse ne peut pas partir telle quelle (%(detail)s) : écrivez-en une autre."
        ) % {"detail": exc.message}
        return Outcome(_note(answer, reason, state=State.FAILED).state)
    try:
        client = account.client()
    except CredentialsUnreadable as exc:
        mark_reconnect_needed(account, str(exc))
        return Outcome(_note(answer, str(exc)).state)
    engine = make_engine(AnswerLedger())  # type: ignore[arg-type]
    try:
        entry = engine.deliver(reply, client, str(account.pk))
    except ReconnectNeeded:
        mark_reconnect_needed(account)
        return Outcome(State.PENDING)
    logger.info("Answer %s on %s: %s", answer.pk, account.network, entry.state)
    if entry.state == State.SENT:
        mark_answered(answer.message, entry.attempted_at or entry.updated_at or timezone.now())
    if entry.retry_at is not None:
        return Outcome(entry.state, entry.retry_at)
    if entry.state == State.SENDING and entry.updated_at is not None:
        # another worker holds it; if that worker died, look again once its lease is over
        return Outcome(
            entry.state, entry.updated_at + dt.timedelta(seconds=engine.sending_lease + 1)
        )
    return Outcome(entry.state)


def retry(answer: Answer) -> bool:
    """A failed answer goes back to pending (a person fixed the cause); the engine looks for
    it on the network first if an attempt was uncertain. Returns whether it changed."""
    if answer.state != State.FAILED:
        return False
    moved = AnswerLedger().update(
        to_entry(answer),
        state=State.PENDING,
        attempt=0,
        reason="",
        retry_at=None,
        updated_at=timezone.now(),
    )
    return moved is not None


def unfinished_answers(now: dt.datetime, lease: float) -> list[int]:
    """Answers nothing carries on by itself: pending or to check and due, or left ``sending``
    longer than the lease by a worker that stopped."""
    due = []
    for answer in Answer.objects.filter(
        state__in=[State.PENDING, State.SENDING, State.NEEDS_CHECK]
    ).select_related("account"):
        if not answer.account.can_post:
            continue
        if answer.retry_at is not None and answer.retry_at > now:
            continue
        last = answer.updated_at or answer.created_at
        if answer.state == State.SENDING and (now - last).total_seconds() < lease:
            continue
        due.append(answer.pk)
    return due


def act(message_id: int, action: str) -> str:
    """Like or hide a message on its network; returns the error in plain words ("" if done)."""
    message = IncomingMessage.objects.select_related("account").filter(pk=message_id).first()
    if message is None:
        return ""
    account = message.account
    try:
        client = account.client()
        if action == LIKE:
            client.like(message.as_message())
            changes = {"liked_at": timezone.now()}
        elif action == HIDE:
            client.hide(message.as_message())
            changes = {"hidden_at": timezone.now()}
        else:
            raise ValueError(f"Unknown action {action!r}: use {LIKE!r} or {HIDE!r}.")
    except ReconnectNeeded:
        mark_reconnect_needed(account)
        error = _("Le compte est à reconnecter (Paramètres → Réseaux) : rien n'a été fait.")
    except (SyndicationError, CredentialsUnreadable) as exc:
        error = _("%(network)s a refusé : %(detail)s") % {
            "network": account.network_label,
            "detail": getattr(exc, "message", str(exc)),
        }
    else:
        IncomingMessage.objects.filter(pk=message.pk).update(action_error="", **changes)
        return ""
    IncomingMessage.objects.filter(pk=message.pk).update(action_error=error)
    return error
