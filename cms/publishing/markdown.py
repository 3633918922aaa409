"""StreamField to Markdown: each block of an item's body in the form a content file keeps.

Rich text becomes Markdown (``relais.html.html_to_markdown``), images become a ``<figure>`` whose
picture is an asset written next to the content file, quotes become Markdown quotes, and
embeds a link (the static site loads nothing from third parties).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from django.conf import settings
from wagtail.rich_text import expand_db_html

from relais.html import html_to_markdown


@dataclass
class Asset:
    """A picture to write next to the content file: ``name`` inside the item's folder."""

    name: str
    image: Any  # wagtail.images.models.AbstractImage
    filter_spec: str


ImageRef = Callable[[Asset], str]  # gives the src to write for an asset


def rich_text_to_markdown(source: str) -> str:
    html = expand_db_html(source)
    # Links to CMS-served things (documents, the sign-up page) must work from the static site
    html = html.replace('href="/', f'href="{settings.WAGTAILADMIN_BASE_URL}/')
    return html_to_markdown(html)


def body_to_markdown(body: Any, image_ref: ImageRef, assets: list[Asset]) -> str:
    parts: list[str] = []
    image_count = 0
    for block in body:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            text = rich_text_to_markdown(value.source)
        elif kind == "image":
            if value["image"] is None:
                continue
            image_count += 1
            ext = "png" if value["image"].file.name.lower().endswith(".png") else "jpg"
            asset = Asset(
                f"image-{image_count}.{ext}",
                value["image"],
                f"max-1600x1600|format-{'png' if ext == 'png' else 'jpeg'}",
            )
            assets.append(asset)
            caption = value.get("caption") or ""
            text = (
                f'<figure>\n<img src="{escape(image_ref(asset))}" alt="{escape(value["alt"])}">\n'
                + (f"<figcaption>{escape(caption)}</figcaption>\n" if caption else "")
                + "</figure>"
            )
        elif kind == "quote":
            quote = html_to_markdown(
                "".join(f"<p>{escape(line)}</p>" for line in value["text"].split("\n\n"))
            )
            lines = [f"> {line}" if line else ">" for line in quote.split("\n")]
            if value.get("attribution"):
                lines += [">", f"> — {html_to_markdown(escape(value['attribution']))}"]
            text = "\n".join(lines)
        elif kind == "embed":
            url = getattr(value, "url", "") or ""
            if not url:
                continue
            title = getattr(value, "title", "") or ""
            label = title if title and title != url else url
            text = f'<p class="embed"><a href="{escape(url)}">{escape(label)}</a></p>'
        else:  # a block type added later without a Markdown form: say so, lose nothing silently
            raise ValueError(
                f"Block type {kind!r} has no Markdown export; add it to "
                "cms.publishing.markdown.body_to_markdown."
            )
        if text:
            parts.append(text)
    return "\n\n".join(parts)
