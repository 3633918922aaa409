"""The ledger of :mod:`syndication.ledger` on the ``Answer`` rows: an answer is posted exactly
once, as a post is (the intent is written before the call, and looked up before a retry).

Every write is one ``UPDATE … WHERE item_key = … AND version = …`` (compare-and-set), committed
at once (the worker runs tasks in autocommit mode). The answer's row exists before the engine
runs (the desk makes it): :meth:`AnswerLedger.get_or_create` only reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F

from syndication.ledger import MUTABLE_FIELDS, LedgerEntry, State

from .models import Answer

UNFINISHED = (State.PENDING, State.SENDING, State.NEEDS_CHECK)


def to_entry(answer: Answer) -> LedgerEntry:
    return LedgerEntry(
        item_key=answer.item_key,
        account=str(answer.account_id),
        network=answer.network,
        state=State(answer.state),
        attempt=answer.attempt,
        version=answer.version,
        updated_at=answer.updated_at,
        attempted_at=answer.attempted_at,
        remote_id=answer.remote_id,
        remote_url=answer.remote_url,
        reason=answer.reason,
        retry_at=answer.retry_at,
    )


class AnswerLedger:
    """:class:`syndication.ledger.Ledger` on ``Answer`` rows (account: the account's pk)."""

    def get_or_create(self, item_key: str, account: str, network: str) -> LedgerEntry:
        answer = Answer.objects.filter(item_key=item_key, account_id=int(account)).first()
        if answer is None:
            raise LookupError(
                f"No answer is recorded under {item_key!r}: write it in the desk first "
                "(the desk records the answer before it is sent)."
            )
        return to_entry(answer)

    def update(self, entry: LedgerEntry, **changes: Any) -> LedgerEntry | None:
        unknown = set(changes) - set(MUTABLE_FIELDS)
        if unknown:
            raise TypeError(f"Ledger fields that cannot be changed: {', '.join(sorted(unknown))}")
        new = entry.changed(**changes)
        values = {key: getattr(new, key) for key in changes}
        if "state" in values:
            values["state"] = State(values["state"]).value
        done = Answer.objects.filter(item_key=entry.item_key, version=entry.version).update(
            version=F("version") + 1, **values
        )
        return new if done == 1 else None

    def unfinished(self) -> Iterator[LedgerEntry]:
        rows = Answer.objects.filter(state__in=[s.value for s in UNFINISHED]).order_by("pk")
        return iter([to_entry(a) for a in rows])
