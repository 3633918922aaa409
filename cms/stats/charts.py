"""Charts drawn on the server as SVG: no script, no external file, readable when printed.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(``aria-labelledby``), and every bar carries its exact number in a ``<title>`` (shown on hover,
read by screen readers) and in ``data-series``/``data-category``/``data-value`` (what the tests
compare with the database). The page shows the same numbers in a table next to each chart.
Colours are the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies;
the legend names every colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cms.core.i18n import labelled, not_known
from syndication.networks import registry

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
NETWORK_COLOURS = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(registry)}
# Text and axis take the page's colour (currentColor): readable in the admin's dark theme too.
FONT = 'font-family="system-ui, sans-serif" font-size="11" fill="currentColor"'


def number(value: int | None) -> str:
    """``12 345`` (a thin space groups thousands, as in French); "n/d" when unknown."""
    if value is None:
        return not_known()
    return f"{value:,}".replace(",", "\u202f")


@dataclass
class Series:
    key: str
    label: str
    values: Sequence[int | None]
    colour: str = ""


def nice_max(value: int) -> int:
    """The top of the axis: 1, 2, 4 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def ticks(top: int) -> list[int]:
    """Whole numbers from 0 to ``top`` for the axis (``top`` from :func:`nice_max`)."""
    parts = top if top <= 5 else (4 if top % 4 == 0 else 5)
    return [top * i // parts for i in range(parts + 1)]


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stats-chart" id="{chart_id}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _legend(series: Sequence[Series], x: int, y: int, width: int) -> list[str]:
    out, cx, cy = [], x, y
    for s in series:
        span = 18 + 7 * len(s.label)
        if cx + span > x + width:
            cx, cy = x, cy + 16
        out.append(f'<rect x="{cx}" y="{cy - 9}" width="10" height="10" fill="{s.colour}"/>')
        out.append(f'<text x="{cx + 14}" y="{cy}" {FONT}>{escape(s.label)}</text>')
        cx += span
    return out


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int = 720,
    height: int = 300,
) -> SafeString:
    """Stacked vertical bars: one bar per category, one segment per series. A value that is
    unknown (None) draws nothing."""
    for i, s in enumerate(series):
        s.colour = s.colour or NETWORK_COLOURS.get(s.key, PALETTE[i % len(PALETTE)])
    left, right, top, bottom = 56, 12, 40, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(categories))]
    top_value = nice_max(max(totals, default=0))
    out = _open(chart_id, title, desc, width, height)
    out += _legend(series, left, 16, plot_w)
    for value in ticks(top_value):
        y = top + plot_h - plot_h * value / top_value
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#999" stroke-opacity="0.4" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>{number(value)}</text>'
        )
    slot = plot_w / max(1, len(categories))
    bar = max(2.0, slot * 0.7)
    every = max(1, math.ceil(len(categories) / 16))
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        base = top + plot_h
        for s in series:
            value = s.values[i]
            if not value:
                continue
            h = plot_h * value / top_value
            base -= h
            title = escape(labelled(f"{s.label} — {category}", number(value)))
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{s.colour}" data-series="{escape(s.key)}" '
                f'data-category="{escape(category)}" data-value="{value}">'
                f"<title>{title}</title></rect>"
            )
        if i % every == 0:
            out.append(
                f'<text x="{left + slot * i + slot / 2:.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="middle" {FONT}>{escape(category)}</text>'
            )
    out.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}" stroke="currentColor"/>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every text is escaped above)


def hbar_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[str],
    series: Sequence[Series],
    width: int = 720,
    row_height: int = 26,
) -> SafeString:
    """Stacked horizontal bars, one per row (a stage of the funnel, an item, a contributor),
    one segment per series, all rows on one scale; a row with no known value says "n/d"."""
    for i, s in enumerate(series):
        s.colour = s.colour or NETWORK_COLOURS.get(s.key, PALETTE[i % len(PALETTE)])
    label_w, right, top = 280, 70, 36
    plot_w = width - label_w - right
    height = top + row_height * len(rows) + 10
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(rows))]
    known = [any(s.values[i] is not None for s in series) for i in range(len(rows))]
    top_value = max(totals, default=0) or 1
    out = _open(chart_id, title, desc, width, height)
    out += _legend(series, label_w, 16, plot_w + right)
    for i, row in enumerate(rows):
        y = top + row_height * i
        shown = row if len(row) <= 42 else row[:41] + "…"
        out.append(
            f'<text x="{label_w - 8}" y="{y + row_height / 2 + 4:.1f}" '
            f'text-anchor="end" {FONT}>{escape(shown)}</text>'
        )
        x = float(label_w)
        for s in series:
            value = s.values[i]
            if not value:
                continue
            w = plot_w * value / top_value
            out.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_height - 8}" '
                f'fill="{s.colour}" data-series="{escape(s.key)}" data-category="{escape(row)}" '
                f'data-value="{value}">'
                f"<title>{escape(labelled(f'{row} — {s.label}', number(value)))}</title></rect>"
            )
            x += w
        text = number(totals[i]) if known[i] else not_known()
        out.append(f'<text x="{x + 6:.1f}" y="{y + row_height / 2 + 4:.1f}" {FONT}>{text}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every text is escaped above)
