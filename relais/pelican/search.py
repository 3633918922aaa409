"""The search index of a full build, and the shards an update must index again.

:mod:`relais.search` builds the index (Pagefind, in shards of a bounded size); this plugin
says which pages make each shard: every item's page, by the year of the item's date and, in a
year of many items, cut by content (:func:`relais.search.cut_year`). A full
build indexes every shard once the article pages are written (``article_writer_finalized``);
the incremental builder (:mod:`relais.incremental`) calls :func:`shards_to_update` with the
items an update changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pelican import signals

from relais.search import Shard, build_index, cut_year, shard_year


def item_year(article: Any) -> int:
    return article.date.year


def page_path(article: Any) -> str:
    return getattr(article, "relais_save_as", None) or article.save_as


def year_shards(year: int, items: Iterable[Any]) -> dict[str, list[Any]]:
    """The items of one year, by the shard that holds each."""
    by_page = {page_path(article): article for article in items}
    return {
        name: [by_page[page] for page in pages] for name, pages in cut_year(year, by_page).items()
    }


def shards_of(named: Mapping[str, Iterable[Any]], where: Callable) -> list[Shard]:
    """The shards ``named``: each item's page path and the file ``where(path)`` holds it."""
    return [
        Shard(name, {page_path(a): where(page_path(a)) for a in items})
        for name, items in sorted(named.items())
    ]


def all_shards(articles_by_year: Mapping[int, Sequence[Any]]) -> dict[str, list[Any]]:
    """Every item, by the shard that holds it."""
    shards: dict[str, list[Any]] = {}
    for year, items in articles_by_year.items():
        shards.update(year_shards(year, items))
    return shards


def shards_to_update(
    old: Iterable[Any],
    new: Iterable[Any],
    articles_by_year: Mapping[int, Sequence[Any]],
    published: set[str],
) -> tuple[dict[str, list[Any]], set[str]]:
    """The shards an update must index again, with their items, and the ``published`` shards
    that go: ``old`` and ``new`` are the versions of the items it changed before and after
    (``articles_by_year``, after). A shard is indexed again if it holds a new version, if its
    pages are not the ones it held before the update (an item came or went, or moved its
    neighbours' cut) or if it is not published; a published shard of a changed year that the
    year no longer has goes."""
    old, new = list(old), list(new)
    to_index: dict[str, list[Any]] = {}
    gone: set[str] = set()
    for year in {item_year(a) for a in [*old, *new]}:
        items = {page_path(a): a for a in articles_by_year.get(year) or []}
        written = {page_path(a) for a in new if item_year(a) == year}
        before = (items.keys() - written) | {page_path(a) for a in old if item_year(a) == year}
        then = cut_year(year, before)
        now = cut_year(year, items)
        here = {name for name in published if shard_year(name) == year}
        for name, pages in now.items():
            if name not in here or then.get(name) != pages or not written.isdisjoint(pages):
                to_index[name] = [items[page] for page in pages]
        gone |= here - now.keys()
    return to_index, gone


def index_site(generator: Any, writer: Any) -> None:
    """Pelican's ``article_writer_finalized``: index every item's page, by shard (once every
    process of a full build on several has written its pages)."""
    wait = getattr(generator, "relais_before_index", None)
    if wait is not None:
        wait()
    output = Path(writer.output_path)
    by_year: dict[int, list[Any]] = defaultdict(list)
    for article in generator.articles:
        by_year[item_year(article)].append(article)
    shards = shards_of(all_shards(by_year), lambda path: output / path)
    lang = generator.settings.get("DEFAULT_LANG") or "fr"
    build_index(shards, output, output.parent / f".search-{output.name}", lang)


def register() -> None:
    signals.article_writer_finalized.connect(index_site)
