"""The ledger of :mod:`syndication.ledger` on the ``Delivery`` model.

Every write is one ``UPDATE ... WHERE pk = ... AND version = ...`` (compare-and-set): two
workers can never both move the same delivery from ``pending`` to ``sending``. Writes are not
wrapped in a transaction by the engine, so each is committed at once (the worker runs tasks
in autocommit mode): the intent to post is on disk before the network is called.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model

from syndication.ledger import MUTABLE_FIELDS, LedgerEntry, State

from .models import Delivery

UNFINISHED = (State.PENDING, State.SENDING, State.NEEDS_CHECK)


def to_entry(row: Any) -> LedgerEntry:
    """The ledger entry of a row of the ledger's shape (a ``Delivery``, an answer…)."""
    return LedgerEntry(
        item_key=row.item_key,
        account=str(row.account_id),
        network=row.network,
        state=State(row.state),
        attempt=row.attempt,
        version=row.version,
        updated_at=row.updated_at,
        attempted_at=row.attempted_at,
        remote_id=row.remote_id,
        remote_url=row.remote_url,
        reason=row.reason,
        retry_at=row.retry_at,
    )


class RowLedger:
    """:class:`syndication.ledger.Ledger` on the rows of :attr:`model`, which has the ledger's
    fields (``item_key``, ``account``, ``network``, ``state``, ``attempt``, ``version``…);
    account: the account's pk. Each subclass adds ``get_or_create``: how an entry comes to
    exist (a post's at its first intent, an answer's already written by the desk)."""

    model: type[Model]

    def get(self, item_key: str, account: str) -> Any:
        return self.model.objects.filter(item_key=item_key, account_id=int(account)).first()

    def update(self, entry: LedgerEntry, **changes: Any) -> LedgerEntry | None:
        unknown = set(changes) - set(MUTABLE_FIELDS)
        if unknown:
            raise TypeError(f"Ledger fields that cannot be changed: {', '.join(sorted(unknown))}")
        new = entry.changed(**changes)
        values = {key: getattr(new, key) for key in changes}
        if "state" in values:
            values["state"] = State(values["state"]).value
        done = self.model.objects.filter(
            item_key=entry.item_key, account_id=int(entry.account), version=entry.version
        ).update(version=F("version") + 1, **values)
        return new if done == 1 else None

    def unfinished(self) -> Iterator[LedgerEntry]:
        rows = self.model.objects.filter(state__in=[s.value for s in UNFINISHED]).order_by("pk")
        return iter([to_entry(row) for row in rows])


class DjangoLedger(RowLedger):
    """The ledger of posts, on ``Delivery`` rows: a post's row is made at its first intent."""

    model = Delivery

    def get_or_create(self, item_key: str, account: str, network: str) -> LedgerEntry:
        delivery = self.get(item_key, account)
        if delivery is None:
            try:
                with transaction.atomic():
                    delivery = Delivery.objects.create(
                        item_key=item_key, account_id=int(account), network=network
                    )
            except IntegrityError:  # created by another worker meanwhile
                delivery = Delivery.objects.get(item_key=item_key, account_id=int(account))
        return to_entry(delivery)
