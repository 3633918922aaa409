"""An embed finder that needs no network: the static site shows external media as a link.

The site loads nothing from third parties (no tracker, no script); an embedded video is a link
to it. This finder lets editors paste any http(s) address when oEmbed providers cannot be
reached, as on a machine without internet access.
"""

from __future__ import annotations

from urllib.parse import urlparse

from django.utils.html import format_html
from wagtail.embeds.finders.base import EmbedFinder


class LinkFinder(EmbedFinder):
    def accept(self, url: str) -> bool:
        return urlparse(url).scheme in {"http", "https"} and bool(urlparse(url).netloc)

    def find_embed(
        self, url: str, max_width: int | None = None, max_height: int | None = None, **kwargs
    ) -> dict:
        host = urlparse(url).netloc
        return {
            "title": url,
            "author_name": "",
            "provider_name": host.removeprefix("www."),
            "type": "link",
            "thumbnail_url": None,
            "width": None,
            "height": None,
            "html": str(format_html('<a href="{}">{}</a>', url, url)),
        }
