"""The ledger of :mod:`syndication.ledger` on the ``Answer`` rows: an answer is posted exactly
once, as a post is (the intent is written before the call, and looked up before a retry).

Every write is one ``UPDATE … WHERE item_key = … AND version = …`` (compare-and-set), committed
at once (the worker runs tasks in autocommit mode). The answer's row exists before the engine
runs (the desk makes it): :meth:`AnswerLedger.get_or_create` only reads it.
"""

from __future__ import annotations

from cms.social.ledger import RowLedger, to_entry
from syndication.ledger import LedgerEntry

from .models import Answer

__all__ = ["AnswerLedger", "to_entry"]


class AnswerLedger(RowLedger):
    """:class:`syndication.ledger.Ledger` on ``Answer`` rows (account: the account's pk)."""

    model = Answer

    def get_or_create(self, item_key: str, account: str, network: str) -> LedgerEntry:
        answer = self.get(item_key, account)
        if answer is None:
            raise LookupError(
                f"No answer is recorded under {item_key!r}: write it in the desk first "
                "(the desk records the answer before it is sent)."
            )
        return to_entry(answer)
