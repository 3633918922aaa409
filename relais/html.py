"""HTML in and out of content files: sanitising, and conversion of rich text to Markdown.

The same allow-list guards both directions: rich text exported by the CMS is cleaned before it is
converted, and the HTML that Pelican renders from any content file (hand-written ones included)
is cleaned again, so no script, style or event handler reaches the site.
"""

from __future__ import annotations

import re
from html.entities import html5 as html5_entities
from typing import Any

import nh3
from markdownify import MarkdownConverter

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "lang", "dir", "title", "class"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitise_html(html: str) -> str:
    """Remove scripts, event handlers, styles and unknown tags; keep the article's structure."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Characters Python-Markdown gives a meaning to. Its backslash escapes cover \ ` * _ [ ] # + - . !
# and >; '<' and '&' are written as entities, which Markdown leaves alone.
_ALWAYS = re.compile(r"([\\`*_\[\]])")
# An '&' that an HTML parser would read as a character reference: numeric ones with or without
# their ';' (``&#0`` is U+FFFD), named ones ending in ';', and the legacy names HTML still reads
# without one (``&copy`` is ©).
_LEGACY_NAMES = sorted((n for n in html5_entities if not n.endswith(";")), key=len, reverse=True)
_ENTITY_LIKE = re.compile(
    r"&(?=#[0-9]|#[xX][0-9A-Fa-f]|[A-Za-z0-9]+;|(?:" + "|".join(_LEGACY_NAMES) + "))"
)
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_LINE_START = [
    re.compile(r"(^|\n)([ \t]*)(#)"),  # heading (Python-Markdown needs no space after #)
    re.compile(r"(^|\n)([ \t]*)(>)"),  # quote
    re.compile(r"(^|\n)([ \t]*)([-+])"),  # bullet, or a rule / setext underline
    re.compile(r"(^|\n)([ \t]*\d{1,9})([.)])(?=\s|$)"),  # numbered list
]


class _Converter(MarkdownConverter):
    def escape(self, text: str, parent_tags: Any) -> str:
        if not text:
            return ""
        text = _ALWAYS.sub(r"\\\1", text)
        text = _ENTITY_LIKE.sub("&amp;", text)
        text = _TAG_LIKE.sub("&lt;", text)
        for pattern in _LINE_START:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text)
        return text


def html_to_markdown(html: str) -> str:
    """Sanitised rich text as Markdown that Python-Markdown renders back to the same text."""
    converter = _Converter(
        heading_style="ATX",
        bullets="-",
        strong_em_symbol="*",
        escape_misc=False,
        escape_asterisks=False,
        escape_underscores=False,
    )
    return converter.convert(sanitise_html(html)).strip()
