"""Background tasks of the desk, on the ``syndication`` queue (network calls) and the
``maintenance`` queue (the daily mails) of the ``relais`` backend. The worker's clock enqueues
the pull and the mails (:mod:`cms.conversations.apps`); the desk enqueues answers and likes."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cms.social import conf as social_conf

from . import answering, digest, pulling

logger = logging.getLogger(__name__)


@task(backend="relais", queue_name="syndication")
def pull_task() -> int:
    """Pull every association's accounts; then carry on the answers nothing carries on (a
    worker stopped mid-answer, a queued task lost). Returns the messages stored."""
    stored = sum(p.stored for p in pulling.pull())
    lease = social_conf.delivery()["sending_lease"]
    for answer_id in answering.unfinished_answers(timezone.now(), lease):
        schedule_answer(answer_id)
    return stored


@task(backend="relais", queue_name="syndication")
def answer_task(answer_id: int) -> str:
    """Post one answer from the desk, exactly once."""
    outcome = answering.send(answer_id)
    if outcome.run_after is not None:
        schedule_answer(answer_id, outcome.run_after)
    return str(outcome.state)


@task(backend="relais", queue_name="syndication")
def like_task(message_id: int, action: str) -> str:
    """Like or hide one message on its network."""
    return answering.act(message_id, action)


@task(backend="relais", queue_name="maintenance")
def digest_task() -> int:
    """Send the daily mails that are due (at most one a day per person)."""
    return digest.send_digests()


def schedule_answer(answer_id: int, run_after: dt.datetime | None = None) -> None:
    """Enqueue the answer once the current transaction commits, not before ``run_after`` (a
    backend that cannot defer leaves it to the next pull, which carries it on)."""

    def enqueue() -> None:
        job = answer_task
        if run_after is not None and run_after > timezone.now():
            if not job.get_backend().supports_defer:
                logger.info("Answer %s waits until %s", answer_id, run_after.isoformat())
                return
            job = job.using(run_after=run_after)
        job.enqueue(answer_id)

    transaction.on_commit(enqueue)


def schedule_action(message_id: int, action: str) -> None:
    transaction.on_commit(lambda: like_task.enqueue(message_id, action))
