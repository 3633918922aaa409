"""The ledger: one record per item × account, the memory that makes posting happen exactly once.

States::

    pending ──▶ sending ──▶ sent          (remote id and URL)
       ▲          │  └────▶ failed        (reason; a person must act)
       │          └───────▶ needs_check   (outcome unknown: look before sending again)
       └──── needs_check ◀─┘   (the post was not found: send again)
    skipped: the network cannot take this item (Instagram without image)

The delivery engine writes ``sending`` (with the attempt number and the time) *before* every
network call, so a worker killed mid-post leaves ``sending`` behind, which the next worker treats
as ``needs_check``. Every write is a compare-and-set on ``version``: two workers can never both
move the same record from ``pending`` to ``sending``.

The interface is :class:`Ledger`, three methods. :class:`~syndication.sqlite.SQLiteLedger`
implements it for the CLI and the tests; the Django side implements it with a model
(``filter(pk=..., version=entry.version).update(...)`` is the compare-and-set).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol, runtime_checkable


class State(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    NEEDS_CHECK = "needs_check"
    SKIPPED = "skipped"


#: States after which the engine does nothing more (until a person resets ``failed``).
FINAL_STATES = frozenset({State.SENT, State.FAILED, State.SKIPPED})


@dataclass(frozen=True)
class LedgerEntry:
    """The delivery of one item to one account.

    ``item_key`` is ``<section>/<slug>``; ``account`` is the caller's id of the account (the
    Django side: the account's primary key as text). ``attempt`` counts the posting calls made;
    ``version`` increases at every write (compare-and-set). ``attempted_at`` is when the last
    posting call started (``find_existing`` looks back to then); ``retry_at`` is when a deferred
    delivery should be tried again (rate limit longer than the engine waits inline).
    """

    item_key: str
    account: str
    network: str
    state: State = State.PENDING
    attempt: int = 0
    version: int = 0
    updated_at: dt.datetime | None = None
    attempted_at: dt.datetime | None = None
    remote_id: str = ""
    remote_url: str = ""
    reason: str = ""
    retry_at: dt.datetime | None = None

    def changed(self, **changes: Any) -> LedgerEntry:
        """This entry with ``changes`` applied and the next version: what an update stores."""
        return replace(self, version=self.version + 1, **changes)


#: Fields an update may change.
MUTABLE_FIELDS = (
    "state",
    "attempt",
    "updated_at",
    "attempted_at",
    "remote_id",
    "remote_url",
    "reason",
    "retry_at",
)


@runtime_checkable
class Ledger(Protocol):
    """Where deliveries are recorded. Implementations must make :meth:`update` atomic."""

    def get_or_create(self, item_key: str, account: str, network: str) -> LedgerEntry:
        """The entry for ``item_key`` × ``account``, created ``pending`` (version 0) if absent."""
        ...

    def update(self, entry: LedgerEntry, **changes: Any) -> LedgerEntry | None:
        """Store ``changes`` (among :data:`MUTABLE_FIELDS`) if the stored version is still
        ``entry.version``; return the new entry (version + 1), or None if another worker
        changed it first (the caller then reads it again)."""
        ...

    def unfinished(self) -> Iterable[LedgerEntry]:
        """Entries in ``pending``, ``sending`` or ``needs_check``: what a restarted worker
        must look at."""
        ...
