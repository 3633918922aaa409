"""``sitemap.xml`` and ``robots.txt``, made only from content so that equal content gives equal
bytes (pelican-sitemap stamps listing pages with the build time).

An item's ``lastmod`` is its own last change; a listing's, the newest change among its items.
The archives are left out: search engines reach them from the listings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape


def _changed(article: Any) -> dt.datetime:
    return getattr(article, "modified", None) or article.date


def _newest(articles: Iterable[Any]) -> dt.datetime | None:
    return max((_changed(a) for a in articles), default=None)


def sitemap_entries(listings: Iterable[Any], articles: Iterable[Any], pages: Iterable[Any],
                    tags_url: str = "") -> list[tuple[str, Any]]:
    """(url path, lastmod) for every page worth indexing, sorted by path."""
    articles = list(articles)
    entries: dict[str, dt.datetime | None] = {"": _newest(articles)}
    for listing in listings:
        entries[listing.base] = _newest(listing.articles)
    for article in articles:
        entries[getattr(article, "relais_url", None) or article.url] = _changed(article)
    for page in pages:
        entries[page.url] = None
    if tags_url and articles:
        entries[tags_url] = _newest(articles)
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


def robots_txt(siteurl: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {siteurl}/sitemap.xml\n"
