"""What the desk's buttons do: write an answer (recorded, then sent by a task), assign, mark
"no answer needed", dismiss several at once, like or hide. Views call these; they never call
a network themselves (the tasks do, :mod:`cms.conversations.tasks`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from syndication.conversations import HIDE, LIKE, Reply

from .answering import compose, retry
from .models import Answer, IncomingMessage
from .tasks import schedule_action, schedule_answer


@transaction.atomic
def write_answer(message: IncomingMessage, text: str, author: Any) -> Answer:
    """Record the answer (its ledger line) and enqueue it. Raises the composer's errors
    (``OverrideTooLong``, ``CapabilityError``) before anything is recorded."""
    key = uuid.uuid4().hex[:16]
    reply: Reply = compose(message, text, key=key)
    answer = Answer.objects.create(
        message=message,
        text=text,
        author=author if getattr(author, "pk", None) else None,
        item_key=reply.item_key,
        account=message.account,
        network=message.network,
    )
    if message.state == IncomingMessage.State.NEW:
        IncomingMessage.objects.filter(pk=message.pk).update(
            state=IncomingMessage.State.ASSIGNED, assignee=answer.author
        )
    schedule_answer(answer.pk)
    return answer


def retry_answer(answer: Answer) -> bool:
    """Send a failed answer again ("Réessayer"): it is looked for before anything is sent."""
    if not retry(answer):
        return False
    schedule_answer(answer.pk)
    return True


def assign(message: IncomingMessage, user: Any | None) -> None:
    """Give the message to ``user`` (None: to nobody, back to new). An answered message keeps
    its state."""
    message.assignee = user
    if message.is_open:
        message.state = IncomingMessage.State.ASSIGNED if user else IncomingMessage.State.NEW
    message.save(update_fields=["assignee", "state"])


def dismiss(messages: Iterable[IncomingMessage]) -> int:
    """Mark open messages "no answer needed"; returns how many changed."""
    ids = [m.pk for m in messages if m.is_open]
    return IncomingMessage.objects.filter(pk__in=ids).update(
        state=IncomingMessage.State.NO_ANSWER_NEEDED
    )


def reopen(message: IncomingMessage) -> None:
    """A message marked "no answer needed" by mistake goes back to the desk."""
    if message.state == IncomingMessage.State.NO_ANSWER_NEEDED:
        message.state = (
            IncomingMessage.State.ASSIGNED if message.assignee_id else IncomingMessage.State.NEW
        )
        message.save(update_fields=["state"])


def like(message: IncomingMessage) -> None:
    schedule_action(message.pk, LIKE)


def hide(message: IncomingMessage) -> None:
    schedule_action(message.pk, HIDE)
