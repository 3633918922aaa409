"""The federation's dashboard: what its pool gave, side by side, for a federation or a regional
union and the associations below it, over a period.

- **Per association**: the items offered to it and what it did with them (taken: adopted,
  adapted or scheduled; declined; waiting), then its own figures of the period as its
  Statistics area computes them (:class:`cms.stats.figures.Figures`: posts, reach, interactions,
  visits from the networks, sign-ups), and how many of those sign-ups came through a pooled
  item's copy.
- **Per pooled item**: how many associations it was offered to and took it, how many copies
  are live, and what the original and all its copies brought together (posts, reach, visits,
  sign-ups), each copy's figures read on its own association's site.

Counts only: each association keeps its members' data to itself, so no row names a person
(the sign-ups are counted from each association's own figures, never listed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from wagtail.models import Page

from cms.federation.models import Association
from cms.publishing.models import ExportRecord
from cms.stats.figures import Figures, Filters, Row

from .models import Offer, Share
from .sharing import below

#: The states in which an association took the item (a copy of its own exists).
TAKEN = (Offer.State.ADOPTED, Offer.State.ADAPTED, Offer.State.SCHEDULED)


@dataclass
class Counts:
    """What was offered and what became of it."""

    offered: int = 0
    taken: int = 0
    declined: int = 0
    waiting: int = 0

    def count(self, state: str) -> None:
        self.offered += 1
        if state in TAKEN:
            self.taken += 1
        elif state == Offer.State.DECLINED:
            self.declined += 1
        else:
            self.waiting += 1

    @property
    def rate(self) -> int | None:
        """The share of offers taken, in per cent (``None`` when nothing was offered)."""
        return round(100 * self.taken / self.offered) if self.offered else None


@dataclass
class AssociationLine:
    association: Association
    counts: Counts = field(default_factory=Counts)
    #: Its figures of the period (the total row of its Statistics area).
    figures: Row = field(default_factory=Row)
    #: All its sign-ups of the period, and those whose last touch was a pooled copy.
    signups: int = 0
    pooled_signups: int = 0


@dataclass
class PooledLine:
    page: Page
    counts: Counts = field(default_factory=Counts)
    live_copies: int = 0
    #: The original's and its copies' figures of the period, added up.
    figures: Row = field(default_factory=Row)


@dataclass
class Dashboard:
    source: Association
    filters: Filters
    associations: list[AssociationLine]
    pooled: list[PooledLine]

    @property
    def total(self) -> AssociationLine:
        out = AssociationLine(self.source, figures=Row(label="Total"))
        for line in self.associations:
            for name in ("offered", "taken", "declined", "waiting"):
                setattr(out.counts, name, getattr(out.counts, name) + getattr(line.counts, name))
            out.figures.absorb(line.figures)
            out.signups += line.signups
            out.pooled_signups += line.pooled_signups
        return out


def dashboard(source: Association, filters: Filters) -> Dashboard:
    """The dashboard of ``source`` (a federation or a union) for the period of ``filters``."""
    members = below(source)
    originals = _originals(source)
    offers = list(
        Offer.objects.filter(original__in=originals, association__in=members).only(
            "original_id", "association_id", "state", "copy_id"
        )
    )
    keys = _item_keys([p.pk for p in originals] + [o.copy_id for o in offers if o.copy_id])
    live = set(
        ExportRecord.objects.filter(
            page_id__in=[o.copy_id for o in offers if o.copy_id], live_at__isnull=False
        ).values_list("page_id", flat=True)
    )

    # -- phase 1: each association's own figures, read once ------------------------------------
    rows_by_site: dict[int, dict[str, Row]] = {}
    lines: dict[int, AssociationLine] = {}
    for association in [source, *members]:
        figures = Figures(_on(filters, association))
        rows_by_site[association.site_id] = {row.key: row for row in figures.items()}
        if association.pk != source.pk:
            lines[association.pk] = AssociationLine(
                association,
                figures=figures.total(figures.by_network()),
                signups=len(figures.signup_rows),
            )

    # -- phase 2: the offers, per association and per pooled item -----------------------------
    by_original: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        lines[offer.association_id].counts.count(offer.state)
        by_original[offer.original_id].append(offer)
    site_of = {a.pk: a.site_id for a in members}

    pooled = []
    for page in originals:
        line = PooledLine(page, figures=Row(key=keys.get(page.pk, ""), label=page.title))
        own = rows_by_site[source.site_id].get(keys.get(page.pk, ""))
        if own is not None:
            line.figures.absorb(own)
        for offer in by_original.get(page.pk, []):
            line.counts.count(offer.state)
            if offer.copy_id is None:
                continue
            line.live_copies += offer.copy_id in live
            copy_row = rows_by_site[site_of[offer.association_id]].get(keys.get(offer.copy_id, ""))
            if copy_row is not None:
                line.figures.absorb(copy_row)
                lines[offer.association_id].pooled_signups += copy_row.signups
        pooled.append(line)

    return Dashboard(
        source=source,
        filters=filters,
        associations=sorted(
            lines.values(), key=lambda line: (str(line.association).casefold(), line.association.pk)
        ),
        pooled=pooled,
    )


def _originals(source: Association) -> list[Page]:
    """The items of ``source``'s site it shared (a :class:`Share`) or offered, newest first."""
    home = source.site.root_page
    ids = set(
        Share.objects.filter(page__path__startswith=home.path).values_list("page_id", flat=True)
    ) | set(
        Offer.objects.filter(original__path__startswith=home.path).values_list(
            "original_id", flat=True
        )
    )
    return list(Page.objects.filter(pk__in=ids).specific().order_by("-first_published_at", "-pk"))


def _item_keys(page_ids: Iterable[int]) -> dict[int, str]:
    """``<section>/<slug>`` of each exported page: the key its figures are counted by."""
    return {
        page_id: path.removesuffix(".md")
        for page_id, path in ExportRecord.objects.filter(page_id__in=list(page_ids)).values_list(
            "page_id", "path"
        )
    }


def _on(filters: Filters, association: Association) -> Filters:
    return Filters(
        start=filters.start,
        end=filters.end,
        section=filters.section,
        network=filters.network,
        site=association.site,
    )
