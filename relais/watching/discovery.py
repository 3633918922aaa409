"""Adding a source by its site's address: find its feeds, else watch it as a page.

:func:`discover` fetches the address (``https://`` is put in front when the editor typed
none). When the answer is itself a feed, that is the source. When it is a web page, the feeds
it announces (``<link rel="alternate" type="application/rss+xml">`` or ``atom+xml``, relative
addresses resolved against the page and its ``<base href>``) are tried in order and the first
that reads as a feed is the source; when none does, the page itself is watched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError

from .errors import WatchError
from .feeds import looks_like_feed, parse_feed
from .fetch import Fetcher, Usage
from .links import normalise_link
from .pages import decode

FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml")
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
#: Announced feeds tried before giving up and watching the page.
MAX_TRIED = 3


@dataclass(frozen=True)
class FeedLink:
    url: str
    title: str
    type: str


@dataclass(frozen=True)
class Discovery:
    """What to watch: ``kind`` is ``feed`` or ``page``; ``url`` its address (after
    redirects); ``feeds`` every feed the page announced; ``tried`` why the announced feeds
    that were tried could not be read (``(address, reason)``)."""

    kind: str
    url: str
    title: str
    feeds: tuple[FeedLink, ...] = ()
    tried: tuple[tuple[str, str], ...] = ()


def with_scheme(address: str) -> str:
    """``address`` with ``https://`` in front when it has no scheme (``www.ecole.fr``)."""
    address = address.strip()
    return address if "://" in address else f"https://{address.lstrip('/')}"


def feed_links(html: str, url: str) -> list[FeedLink]:
    """The feeds a page announces, in its order, absolute, each once."""
    try:
        document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    base = url
    for href in document.xpath("//base/@href")[:1]:
        base = urljoin(url, str(href).strip())
    found: dict[str, FeedLink] = {}
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_LINK_TYPES or not href:
            continue
        address = normalise_link(href, base)
        if address and address not in found:
            found[address] = FeedLink(address, (link.get("title") or "").strip(), kind)
    return list(found.values())


def discover(
    address: str, fetcher: Fetcher, *, usage: Usage | None = None, now: datetime | None = None
) -> Discovery:
    """What to watch for ``address`` (see the module's docstring); :class:`WatchError` when
    the address itself cannot be read."""
    usage = usage if usage is not None else Usage()
    now = now or datetime.now(UTC)
    fetched = fetcher.fetch(with_scheme(address), usage=usage, accept=ACCEPT)
    if looks_like_feed(fetched.body, fetched.content_type):
        feed = parse_feed(
            fetched.body, url=fetched.url, fetched_at=now, content_type=fetched.content_type
        )
        return Discovery("feed", fetched.url, feed.title)
    html = decode(fetched.body, fetched.charset)
    announced = tuple(feed_links(html, fetched.url))
    tried: list[tuple[str, str]] = []
    for candidate in announced[:MAX_TRIED]:
        try:
            answer = fetcher.fetch(candidate.url, usage=usage, accept=ACCEPT)
            feed = parse_feed(
                answer.body, url=answer.url, fetched_at=now, content_type=answer.content_type
            )
        except WatchError as exc:
            tried.append((candidate.url, exc.reason))
            continue
        return Discovery("feed", answer.url, feed.title or candidate.title, announced, tuple(tried))
    return Discovery("page", fetched.url, _title(html), announced, tuple(tried))


def _title(html: str) -> str:
    try:
        titles = lxml.html.document_fromstring(html).xpath("//title/text()")
    except (ParserError, ValueError):
        return ""
    return " ".join(str(titles[0]).split()) if titles else ""
