"""``sitemap.xml`` and ``robots.txt``, made only from content so that equal content gives equal
bytes (pelican-sitemap stamps listing pages with the build time).

A listing's ``lastmod`` is the newest change among the items it shows; an item's is its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator


def _changed(article: Any) -> dt.datetime:
    return getattr(article, "modified", None) or article.date


def _newest(articles: list[Any]) -> dt.datetime | None:
    return max((_changed(a) for a in articles), default=None)


def _pairs(value: Any) -> list[tuple[Any, list[Any]]]:
    """Pelican keeps taxonomies as dicts or as lists of pairs depending on the stage."""
    if not value:
        return []
    return list(value.items()) if isinstance(value, dict) else list(value)


def sitemap_entries(articles: Any, pages: Any, context: dict[str, Any]) -> list[tuple[str,
                                                                                       Any]]:
    """(url path, lastmod) for every page worth indexing, sorted by path."""
    entries: dict[str, dt.datetime | None] = {"": _newest(articles)}
    for article in articles:
        entries[article.url] = _changed(article)
    for page in pages:
        entries[page.url] = None
    for name in ("categories", "tags", "authors", "class_years", "groups"):
        for term, arts in _pairs(context.get(name)):
            entries[term.url] = _newest(arts)
    if context.get("TAGS_SAVE_AS"):
        entries[context.get("TAGS_URL", "tags/")] = _newest(articles)
    return sorted(entries.items())


def render_sitemap(siteurl: str, entries: list[tuple[str, Any]]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in entries:
        lines.append(f"<url><loc>{escape(f'{siteurl}/{path}')}</loc>"
                     + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else "")
                     + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def write_sitemap(generators: list[Any]) -> None:
    articles_gen = next(g for g in generators if isinstance(g, ArticlesGenerator))
    pages_gen = next((g for g in generators if isinstance(g, PagesGenerator)), None)
    context = articles_gen.context
    siteurl = articles_gen.settings["SITEURL"]
    output = Path(articles_gen.output_path)
    output.mkdir(parents=True, exist_ok=True)
    entries = sitemap_entries(articles_gen.articles, pages_gen.pages if pages_gen else [], context)
    (output / "sitemap.xml").write_text(render_sitemap(siteurl, entries), encoding="utf-8")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {siteurl}/sitemap.xml\n"
    (output / "robots.txt").write_text(robots, encoding="utf-8")


def register() -> None:
    signals.all_generators_finalized.connect(write_sitemap)
