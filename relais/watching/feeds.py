"""RSS and Atom feeds, read with ``feedparser`` after the document has been judged safe.

:func:`parse_feed` runs in named phases:

1. **refuse hostile XML** (:func:`refuse_hostile_xml`, with ``defusedxml``): a document that
   declares entities (the "billion laughs" and its quadratic cousin) or calls external ones
   (files, addresses) is refused before any parser expands or fetches anything. An external
   DTD named in the ``DOCTYPE`` (RSS 0.91's) is fine: it is never read;
2. **parse** with ``feedparser`` from the bytes (never from an address or a file name: the
   fetcher has done the fetching); a document with neither a feed version nor entries is
   refused as not a feed; a feed with small faults (``bozo``) is read as well as it can be;
3. **normalise** each entry: its link (:func:`~.links.normalise_link`, relative links resolved
   against the feed's address), its date (timezone-aware; missing, unreadable or in the future
   → the fetch time, flagged), its title and summary as plain text, and at most
   ``max_entries`` entries (the newest first as the feed gives them).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import ParseError

import feedparser
import lxml.html
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring as defused_fromstring
from lxml.etree import ParserError

from .entries import Entry
from .errors import WatchError
from .links import normalise_link, story_key

MAX_ENTRIES = 500
MAX_TITLE = 500
MAX_SUMMARY = 2000
#: Dates further ahead than this are not believed.
FUTURE_TOLERANCE = timedelta(days=1)
#: What feedparser reports as a fault but is only a notice about the headers.
NOTICES = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_ENTITY_DECLARATION = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
)


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title and link, its entries, whether some were left out (``truncated``) and
    whether it had faults it was read through (``loose``)."""

    title: str
    link: str
    entries: tuple[Entry, ...]
    truncated: bool = False
    loose: bool = False


def refuse_hostile_xml(body: bytes) -> None:
    """:class:`WatchError` when ``body`` declares XML entities or calls external ones."""
    try:
        defused_fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        code = "xml_external" if exc.sysid or exc.pubid else "xml_entities"
        raise WatchError(code, str(exc)) from None
    except ExternalReferenceForbidden as exc:
        raise WatchError("xml_external", str(exc)) from None
    except DTDForbidden:  # pragma: no cover - DTDs are allowed above
        raise
    except (ParseError, ValueError):
        # Not well-formed: the lenient parser will read it, but never with declared entities
        if _ENTITY_DECLARATION.search(_ascii_view(body)):
            raise WatchError("xml_entities", "entity declared in a malformed document") from None


def _ascii_view(body: bytes) -> bytes:
    """``body`` with UTF-16 or UTF-32 turned to bytes a pattern can search."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if body.startswith(bom):
            return body.decode(codec, "replace").encode("utf-8", "replace")
    if body[:2] in (b"<\x00", b"\x00<"):
        return body.decode("utf-16-le" if body[0] else "utf-16-be", "replace").encode()
    return body


def parse_feed(
    body: bytes,
    *,
    url: str,
    fetched_at: datetime,
    content_type: str = "",
    source_id: str = "",
    max_entries: int = MAX_ENTRIES,
) -> ParsedFeed:
    """The feed in ``body`` (fetched from ``url`` at ``fetched_at``, which must be
    timezone-aware); :class:`WatchError` when it is hostile or not a feed."""
    refuse_hostile_xml(body)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers=headers, resolve_relative_uris=True, sanitize_html=True
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise WatchError("not_feed", f"{type(reason).__name__}: {reason}" if reason else "")
    feed = parsed.feed
    entries = []
    for raw in parsed.entries[:max_entries]:
        entry = _entry(raw, base=url, fetched_at=fetched_at, source_id=source_id)
        if entry is not None:
            entries.append(entry)
    return ParsedFeed(
        title=_text(feed.get("title", ""), MAX_TITLE),
        link=normalise_link(feed.get("link") or url, url) or url,
        entries=tuple(entries),
        truncated=len(parsed.entries) > max_entries,
        loose=bool(parsed.get("bozo")) and not isinstance(parsed.get("bozo_exception"), NOTICES),
    )


def _entry(raw: Any, *, base: str, fetched_at: datetime, source_id: str) -> Entry | None:
    link = normalise_link(raw.get("link") or _id_link(raw.get("id")) or "", base)
    title = _text(raw.get("title", ""), MAX_TITLE)
    if link is None:
        return None
    published, status, raw_date = entry_date(raw, fetched_at)
    summary = raw.get("summary") or ""
    if not summary and raw.get("content"):
        summary = raw["content"][0].get("value", "")
    return Entry(
        key=story_key(link),
        link=link,
        title=title or link,
        published=published,
        summary=_text(summary, MAX_SUMMARY, html=True),
        date_status=status,
        raw_date=raw_date,
        author=_text(raw.get("author", ""), MAX_TITLE),
        guid=str(raw.get("id") or "")[:MAX_TITLE],
        source_id=source_id,
    )


def _id_link(guid: Any) -> str | None:
    """An entry's id when it is an address (RSS ``guid isPermaLink``, Atom ids often are)."""
    guid = str(guid or "")
    return guid if guid.startswith(("http://", "https://")) else None


def entry_date(raw: Any, fetched_at: datetime) -> tuple[datetime, str, str]:
    """``(date, status, what the feed wrote)`` of a feedparser entry: its publication date,
    else its update date, timezone-aware (UTC); the fetch time with the status
    ``missing``, ``malformed`` or ``future`` when there is none to believe."""
    for name in ("published", "updated", "created"):
        written = str(raw.get(name) or "").strip()
        if not written:
            continue
        parsed = raw.get(f"{name}_parsed")
        if parsed is None:
            return fetched_at, "malformed", written[:100]
        try:
            when = datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            return fetched_at, "malformed", written[:100]
        if when > fetched_at + FUTURE_TOLERANCE:
            return fetched_at, "future", written[:100]
        return when, "ok", written[:100]
    return fetched_at, "missing", ""


def _text(value: str, limit: int, *, html: bool = False) -> str:
    """``value`` as one line of plain text of at most ``limit`` characters."""
    value = str(value or "")
    if html and "<" in value:
        try:
            value = lxml.html.fragment_fromstring(value, create_parent="div").text_content()
        except (ParserError, ValueError):
            pass
    value = _SPACES.sub(" ", value).strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """Whether an answer is a feed rather than a web page (for discovery)."""
    if content_type in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return True
    head = _ascii_view(body[:2048]).lstrip().lower()
    if head.startswith(b"<!doctype html") or b"<html" in head:
        return False
    return bool(re.search(rb"<(rss|feed|rdf:rdf)[\s>]", head))
