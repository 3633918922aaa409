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
from django.db.models import F

from syndication.ledger import MUTABLE_FIELDS, LedgerEntry, State

from .models import Delivery

UNFINISHED = (State.PENDING, State.SENDING, State.NEEDS_CHECK)


def to_entry(delivery: Delivery) -> LedgerEntry:
    return LedgerEntry(
        item_key=delivery.item_key,
        account=str(delivery.account_id),
        network=delivery.network,
        state=State(delivery.state),
        attempt=delivery.attempt,
        version=delivery.version,
        updated_at=delivery.updated_at,
        attempted_at=delivery.attempted_at,
        remote_id=delivery.remote_id,
        remote_url=delivery.remote_url,
        reason=delivery.reason,
        retry_at=delivery.retry_at,
    )


class DjangoLedger:
    """:class:`syndication.ledger.Ledger` on ``Delivery`` rows (account: the account's pk)."""

    def get(self, item_key: str, account: str) -> Delivery | None:
        return Delivery.objects.filter(item_key=item_key, account_id=int(account)).first()

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

    def update(self, entry: LedgerEntry, **changes: Any) -> LedgerEntry | None:
        unknown = set(changes) - set(MUTABLE_FIELDS)
        if unknown:
            raise TypeError(f"Ledger fields that cannot be changed: {', '.join(sorted(unknown))}")
        new = entry.changed(**changes)
        values = {key: getattr(new, key) for key in changes}
        if "state" in values:
            values["state"] = State(values["state"]).value
        done = Delivery.objects.filter(
            item_key=entry.item_key, account_id=int(entry.account), version=entry.version
        ).update(version=F("version") + 1, **values)
        return new if done == 1 else None

    def unfinished(self) -> Iterator[LedgerEntry]:
        rows = Delivery.objects.filter(state__in=[s.value for s in UNFINISHED]).order_by("pk")
        return iter([to_entry(d) for d in rows])
