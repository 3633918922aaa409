"""The sitemap, in shards that one change rewrites few of: ``sitemap.xml`` is an index of
``sitemaps/listings.xml`` (home page, listings, tags, pages) and one file per section and year
of the items (``sitemaps/parcours-2026.xml``). Made only from content, so that equal content
gives equal bytes (pelican-sitemap stamps listing pages with the build time).

An item's ``lastmod`` is its own last change; a listing's, the newest change among its items.
The archives are left out: search engines reach them from the listings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

SHARD_FOLDER = "sitemaps"


def changed(article: Any) -> dt.datetime:
    return getattr(article, "modified", None) or article.date


def newest(articles: Iterable[Any]) -> dt.datetime | None:
    return max((changed(a) for a in articles), default=None)


def shard_name(article: Any) -> str:
    return f"{article.category.slug}-{article.date.year}"


def item_entries(articles: Iterable[Any]) -> list[tuple[str, Any]]:
    return sorted((getattr(a, "relais_url", None) or a.url, changed(a)) for a in articles)


def render_urlset(siteurl: str, entries: list[tuple[str, Any]]) -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in entries:
        lines.append(
            f"<url><loc>{escape(f'{siteurl}/{path}')}</loc>"
            + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else "")
            + "</url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def render_index(siteurl: str, shards: list[tuple[str, Any]]) -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in shards:
        lines.append(
            f"<sitemap><loc>{escape(f'{siteurl}/{path}')}</loc>"
            + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else "")
            + "</sitemap>"
        )
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def robots_txt(siteurl: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {siteurl}/sitemap.xml\n"
