"""What a period brought, from cumulative counts read now and then.

A metric of a post is a series of readings ``(time, value or unavailable)``. The networks give
totals ("12 likes so far"), so what happened between ``a`` and ``b`` is the value at ``b``
minus the value at ``a``:

* the value at ``b`` is that of the last reading before ``b`` — if that reading says
  *unavailable*, nothing is known for the period (the metric is not counted as zero);
* the value at ``a`` is the last *available* reading before ``a``, or 0 when there is none (a
  post starts with no like);
* a metric with no reading before ``b`` is not known either.

:class:`Amount` adds such gains up (over posts, metrics) and remembers why some were unknown.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Series:
    """The readings of one metric of one post, in time order."""

    times: list[dt.datetime] = field(default_factory=list)
    values: list[int | None] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # why unavailable ("" when a value)
    reasons: list[str] = field(default_factory=list)

    def add(self, when: dt.datetime, value: int | None, kind: str = "", reason: str = "") -> None:
        self.times.append(when)
        self.values.append(value)
        self.kinds.append(kind)
        self.reasons.append(reason)

    def last_before(self, when: dt.datetime) -> int:
        """Index of the last reading strictly before ``when`` (-1: none)."""
        return bisect.bisect_left(self.times, when) - 1

    def gain(self, a: dt.datetime, b: dt.datetime) -> int | None:
        """What the period ``[a, b)`` brought, or None when it is not known."""
        end = self.last_before(b)
        if end < 0 or self.values[end] is None:
            return None
        start = self.last_before(a)
        while start >= 0 and self.values[start] is None:
            start -= 1
        before = self.values[start] if start >= 0 else 0
        return self.values[end] - (before or 0)

    def missing_at(self, b: dt.datetime) -> tuple[str, str] | None:
        """(kind, reason) when the last reading before ``b`` says unavailable."""
        end = self.last_before(b)
        if end >= 0 and self.values[end] is None:
            return self.kinds[end], self.reasons[end]
        return None


@dataclass
class Amount:
    """A sum of gains that knows what it could not count: ``value`` is None when no part was
    known; ``missing`` maps each unknown metric to why (kind and the network's reason)."""

    value: int | None = None
    missing: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(
        self,
        gain: int | None,
        metric: str = "",
        series: Series | None = None,
        until: dt.datetime | None = None,
    ) -> None:
        if gain is not None:
            self.value = (self.value or 0) + gain
        elif series is not None and until is not None:
            why = series.missing_at(until)
            if why is not None:
                self.missing.setdefault(metric, why)

    def merge(self, other: Amount) -> None:
        if other.value is not None:
            self.value = (self.value or 0) + other.value
        for metric, why in other.missing.items():
            self.missing.setdefault(metric, why)

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def partial(self) -> bool:
        """Known, but some metric could not be counted."""
        return self.value is not None and bool(self.missing)

    def __int__(self) -> int:
        return self.value or 0


def total(amounts: Iterable[Amount]) -> Amount:
    out = Amount()
    for amount in amounts:
        out.merge(amount)
    return out


def plain(value: Amount | int | None) -> int | None:
    """The number of an :class:`Amount` (None when unknown), or ``value`` itself."""
    return value.value if isinstance(value, Amount) else value


def add_up(values: Iterable[Amount | int | None]) -> Amount | int | None:
    """The total of a table's row: an :class:`Amount` when the cells are, else the sum of the
    known numbers (None when none is)."""
    values = list(values)
    if values and all(isinstance(v, Amount) for v in values):
        return total(values)  # type: ignore[arg-type]
    known = [plain(v) for v in values if plain(v) is not None]
    return sum(known) if known else None  # type: ignore[arg-type]
