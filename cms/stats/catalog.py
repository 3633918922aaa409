"""The items the statistics know: every item exported to a site, by ``<section>/<slug>`` —
the key the ledger, the site's paths (``/<section>/<slug>/``) and the sign-ups' attribution
share — with its title, its page and its contributors."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from wagtail.models import Site

from cms.content.models import ItemPage
from cms.publishing.models import ExportRecord
from relais.sections import SECTIONS


@dataclass(frozen=True)
class ItemInfo:
    key: str
    title: str
    page_id: int
    contributors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def section(self) -> str:
        return self.key.split("/", 1)[0]


def catalog(site: Site | None = None) -> dict[str, ItemInfo]:
    """The items of ``site`` (every site's, when ``None``: two sites' items may share a key)."""
    exported = ExportRecord.objects.only("page_id", "path", "title")
    if site is not None:
        exported = exported.filter(site=site)
    records = {r.path.removesuffix(".md"): r for r in exported}
    records = {k: r for k, r in records.items() if k.split("/", 1)[0] in SECTIONS}
    names: dict[int, list[str]] = defaultdict(list)
    through = (
        ItemPage.contributors.through.objects.filter(
            itempage_id__in=[r.page_id for r in records.values()]
        )
        .select_related("contributor")
        .order_by("contributor__name")
    )
    for link in through:
        names[link.itempage_id].append(link.contributor.name)
    return {
        key: ItemInfo(key, r.title, r.page_id, tuple(names.get(r.page_id, ())))
        for key, r in records.items()
    }
