"""Helpers of the statistics tests: what the stored data says (computed here, from the rows,
the way ``cms.stats.series`` documents it), and what a rendered page shows (tables and SVG)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from bs4 import BeautifulSoup

from cms.audience.models import PageViewCount
from cms.members.models import Signup
from cms.social.models import Delivery
from cms.stats.models import MetricSample, TrackedPost

ENGAGEMENT = ("likes", "shares", "comments", "quotes", "saves")


def expected_gain(
    deliveries: list[int], metrics: tuple[str, ...] | list[str], a: dt.datetime, b: dt.datetime
) -> int | None:
    """What the stored samples say ``deliveries`` gained on ``metrics`` in ``[a, b)``: the
    value of the last reading before ``b`` (if it is a number) minus the last number read
    before ``a`` (0 if none). None when no such gain is known."""
    total, known = 0, False
    for delivery in deliveries:
        for metric in metrics:
            rows = list(
                MetricSample.objects.filter(
                    delivery_id=delivery, metric=metric, taken_at__lt=b
                ).order_by("taken_at", "pk")
            )
            if not rows or rows[-1].value is None:
                continue
            before = [r.value for r in rows if r.taken_at < a and r.value is not None]
            total += rows[-1].value - (before[-1] if before else 0)
            known = True
    return total if known else None


def sent(network: str = "", section: str = "") -> list[Delivery]:
    rows = Delivery.objects.filter(state="sent").exclude(remote_id="")
    if network:
        rows = rows.filter(network=network)
    if section:
        rows = rows.filter(item_key__startswith=f"{section}/")
    return list(rows)


def posts_between(network: str, a: dt.datetime, b: dt.datetime, section: str = "") -> int:
    rows = TrackedPost.objects.filter(delivery__network=network, posted_at__gte=a, posted_at__lt=b)
    if section:
        rows = rows.filter(delivery__item_key__startswith=f"{section}/")
    return rows.count()


def visits(
    start: dt.date, end: dt.date, network: str | None = None, path: str = "", prefix: str = ""
) -> int:
    rows = PageViewCount.objects.filter(day__gte=start, day__lte=end)
    if network is not None:
        rows = rows.filter(network=network)
    if path:
        rows = rows.filter(path=path)
    if prefix:
        rows = rows.filter(path__startswith=prefix)
    return sum(rows.values_list("views", flat=True))


def signups(
    a: dt.datetime, b: dt.datetime, network: str | None = None, item: str = "", prefix: str = ""
) -> int:
    rows = Signup.objects.filter(created_at__gte=a, created_at__lt=b)
    if network is not None:
        rows = rows.filter(last_network=network)
    if item:
        rows = rows.filter(last_item=item)
    if prefix:
        rows = rows.filter(last_item__startswith=prefix)
    return rows.count()


# -- reading pages -----------------------------------------------------------------------------


def soup(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def number(text: str) -> int | str:
    """A number as shown (``12 345``), or the text itself ("n/d", "—")."""
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").rstrip("*")
    return int(cleaned) if cleaned.lstrip("-").isdigit() else text.strip()


def table(page: BeautifulSoup, name: str) -> dict[str, list[int | str]]:
    """A table of the page (``data-table``), by the label of each row."""
    found = page.select_one(f'table[data-table="{name}"]')
    assert found is not None, f"no table {name}"
    rows = {}
    for tr in found.select("tbody tr, tfoot tr"):
        label = tr.find(["th"])
        if label is None:
            continue
        key = (
            tr.get("data-network")
            or tr.get("data-item")
            or tr.get("data-contributor")
            or label.get_text(" ", strip=True)
        )
        rows[key] = [number(td.get_text(" ", strip=True)) for td in tr.find_all("td")]
    return rows


def svg_values(page: BeautifulSoup, chart_id: str) -> dict[tuple[str, str], int]:
    """The bars of a chart: (series, category) -> value."""
    svg = page.select_one(f"svg#{chart_id}")
    assert svg is not None, f"no chart {chart_id}"
    out: dict[tuple[str, str], int] = defaultdict(int)
    for rect in svg.select("rect[data-value]"):
        out[(rect["data-series"], rect["data-category"])] += int(rect["data-value"])
    return dict(out)


def svg_series_totals(page: BeautifulSoup, chart_id: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for (series, _category), value in svg_values(page, chart_id).items():
        totals[series] += value
    return dict(totals)
