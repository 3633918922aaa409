"""From :class:`~cms.stats.figures.Figures` to what a page shows: tables, charts drawn from the
same rows, and the notes on what a network did not give. The overview, the contributors' page,
the monthly report and the CSV exports all take their numbers from here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from syndication.networks import registry

from .charts import Series, bar_chart, hbar_chart
from .figures import Figures, Row
from .labels import CANNOT_GIVE, metric_label, unavailable_label
from .series import add_up, plain

#: The timelines: (key in Figures.timeline(), chart title, what it shows).
TIMELINES = [
    (
        "impressions",
        gettext_lazy("Vues sur les réseaux"),
        gettext_lazy(
            "Nombre de fois où les publications ont été vues, selon les réseaux qui le comptent"
        ),
    ),
    (
        "engagement",
        gettext_lazy("Interactions sur les réseaux"),
        gettext_lazy("J'aime, partages, commentaires, citations et enregistrements gagnés"),
    ),
    (
        "visits",
        gettext_lazy("Visites du site depuis les réseaux"),
        gettext_lazy("Pages vues arrivées d'un réseau (liens marqués utm_source)"),
    ),
    (
        "signups",
        gettext_lazy("Adhésions venues des réseaux"),
        gettext_lazy("Demandes d'adhésion dont la dernière visite venait d'un réseau"),
    ),
]


@dataclass
class Table:
    """A chart's data table: ``head`` (column titles) and ``rows`` (a label, then numbers)."""

    caption: str
    head: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Chart:
    key: str
    svg: str
    table: Table


def funnel(figures: Figures, networks: list[Row]) -> Chart:
    stages = [
        (_("Vues"), lambda r: r.impressions),
        (_("Interactions"), lambda r: r.engagement),
        (_("Visites depuis les réseaux"), lambda r: r.network_visits),
        (_("Adhésions depuis les réseaux"), lambda r: r.signups),
    ]
    cells = {r.key: [get(r) for _l, get in stages] for r in networks}
    series = [Series(r.key, r.label, [plain(v) for v in cells[r.key]]) for r in networks]
    labels = [label for label, _g in stages]
    title = _("Des publications aux adhésions")
    desc = _(
        "Pour la période : vues et interactions comptées par les réseaux, visites du site "
        "venues de chaque réseau, puis adhésions attribuées à chaque réseau."
    )
    table = Table(title, [_("Étape"), *(r.label for r in networks), _("Total")])
    for i, label in enumerate(labels):
        values = [cells[r.key][i] for r in networks]
        table.rows.append([label, *values, add_up(values)])
    return Chart("funnel", hbar_chart("chart-funnel", title, desc, labels, series), table)


def timelines(figures: Figures) -> list[Chart]:
    buckets = figures.buckets()
    labels = [label for _a, _b, label in buckets]
    data = figures.timeline()
    charts = []
    for key, title, desc in TIMELINES:
        series = [
            Series(name, registry[name].label, [plain(v) for v in values[key]])
            for name, values in data.items()
        ]
        table = Table(str(title), [_("Période"), *(s.label for s in series), _("Total")])
        for i, label in enumerate(labels):
            cells = [values[key][i] for values in data.values()]
            table.rows.append([label, *cells, add_up(cells)])
        svg = bar_chart(f"chart-{key}", str(title), str(desc), labels, series)
        charts.append(Chart(key, svg, table))
    return charts


def ranking(rows: list[Row], chart_id: str, title: str, desc: str) -> str:
    """Horizontal bars of the visits from the networks and the sign-ups of ``rows``."""
    series = [
        Series(
            "network_visits",
            _("Visites depuis les réseaux"),
            [r.network_visits for r in rows],
            "#0072B2",
        )
    ]
    return hbar_chart(chart_id, title, desc, [r.label for r in rows], series)


def missing_notes(networks: list[Row]) -> list[dict[str, Any]]:
    """Every metric a network did not give in the period, and why (never shown as zero):
    one note per network and reason, naming its metrics."""
    notes: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in networks:
        for metric, amount in sorted(row.metrics.items()):
            for kind, reason in amount.missing.values():
                note = notes.setdefault(
                    (row.label, kind, reason),
                    {
                        "network": row.label,
                        "metrics": [],
                        "kind": unavailable_label(kind),
                        "reason": reason,
                        "partial": False,
                    },
                )
                note["metrics"].append(metric_label(metric))
                note["partial"] = note["partial"] or amount.known
    return list(notes.values())


def cannot_give(networks: list[Row]) -> list[tuple[str, str]]:
    return [(row.label, str(CANNOT_GIVE[row.key])) for row in networks if row.key in CANNOT_GIVE]


def overview(figures: Figures, top: int = 10) -> dict[str, Any]:
    networks = figures.by_network()
    items = figures.items()
    contributors = figures.contributors(items)
    return {
        "figures": figures,
        "filters": figures.filters,
        "networks": networks,
        "total": figures.total(networks),
        "all_visits": figures.all_visits(),
        "all_signups": figures.all_signups(),
        "funnel": funnel(figures, networks),
        "timelines": timelines(figures),
        "items": items[:top],
        "items_count": len(items),
        "items_chart": ranking(
            items[:top],
            "chart-items",
            _("Articles les plus visités depuis les réseaux"),
            _("Visites du site venues des réseaux, par article"),
        ),
        "contributors": contributors,
        "contributors_chart": ranking(
            contributors,
            "chart-contributors",
            _("Ce que les articles de chaque contributeur ont apporté"),
            _("Visites du site venues des réseaux sur les articles de chaque contributeur"),
        ),
        "missing": missing_notes(networks),
        "cannot_give": cannot_give(networks),
    }
