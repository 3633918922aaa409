"""The search index of a full build, and the shards an update must index again.

:mod:`relais.search` builds the index (Pagefind, one shard per year of items); this plugin
says which pages make each shard: every item's page, by the year of the item's date. A full
build indexes every shard once the article pages are written (``article_writer_finalized``);
the incremental builder (:mod:`relais.incremental`) calls :func:`shards_to_update` with the
items an update changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pelican import signals

from relais.search import Shard, build_index


def item_year(article: Any) -> int:
    return article.date.year


def page_path(article: Any) -> str:
    return getattr(article, "relais_save_as", None) or article.save_as


def shards_of(
    articles_by_year: Mapping[int, Iterable[Any]], years: Iterable[int], where: Callable
) -> list[Shard]:
    """The shards of ``years``: each item's page path and the file ``where(path)`` holds it."""
    shards = []
    for year in sorted(set(years)):
        items = articles_by_year.get(year) or []
        if items:
            shards.append(Shard(year, {page_path(a): where(page_path(a)) for a in items}))
    return shards


def shards_to_update(
    changed: Iterable[Any], articles_by_year: Mapping[int, Iterable[Any]]
) -> tuple[set[int], set[int]]:
    """The years whose shard an update of the ``changed`` items (old and new versions)
    touches, and among them the years left without items."""
    years = {item_year(a) for a in changed}
    emptied = {y for y in years if not articles_by_year.get(y)}
    return years - emptied, emptied


def index_site(generator: Any, writer: Any) -> None:
    """Pelican's ``article_writer_finalized``: index every item's page, by year (once every
    process of a full build on several has written its pages)."""
    wait = getattr(generator, "relais_before_index", None)
    if wait is not None:
        wait()
    output = Path(writer.output_path)
    by_year: dict[int, list[Any]] = defaultdict(list)
    for article in generator.articles:
        by_year[item_year(article)].append(article)
    shards = shards_of(by_year, by_year, lambda path: output / path)
    lang = generator.settings.get("DEFAULT_LANG") or "fr"
    build_index(shards, output, output.parent / f".search-{output.name}", lang)


def register() -> None:
    signals.article_writer_finalized.connect(index_site)
