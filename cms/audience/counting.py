"""Turning a request (or a line of an access log) into a counted page view.

A hit is kept only if it looks like a person reading a page: bots, link-preview fetchers,
headless browsers and prefetches are recognised by their headers and dropped before anything is
stored; only pages count (:func:`is_page`: HTML pages of the built site, never its feeds, styles
or pictures). What is stored is one more unit on an aggregated row (:class:`PageViewCount`),
with the ``utm_*`` values the rules of :mod:`cms.audience.sources` keep, and at most
``RELAIS_COUNTER_DISTINCT_VALUES`` distinct sources, media and campaigns a day: beyond, a new
value is counted as :data:`OTHER` (300 random campaigns make one row, not 300).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from wagtail.models import Site

from .models import PageViewCount
from .sources import host_of, network_for, utm_value

MAX_PATH = 300
#: What a source, medium or campaign becomes past the day's cap of distinct values.
OTHER = "autre"
#: The columns whose distinct values are capped per day (networks come from the registry).
CAPPED = ("source", "medium", "campaign")

#: User agents that are not people reading: crawlers, feed readers, link-card fetchers of the
#: networks themselves (they fetch each posted link once), monitoring, scripts, headless browsers.
BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|fetch|preview|monitor|uptime|checker|validator"
    r"|facebookexternalhit|facebookcatalog|embedly|quora link|whatsapp|telegram|discord"
    r"|mastodon/|pleroma|akkoma|misskey|bluesky|cardyb|headless|phantomjs|lighthouse"
    r"|python-|python/|curl/|wget/|httpx|aiohttp|go-http-client|java/|okhttp|libwww|feed|rss",
    re.IGNORECASE,
)


def is_bot(user_agent: str | None) -> bool:
    """True for an empty user agent or one of a robot (see :data:`BOT_USER_AGENT`)."""
    return not user_agent or not user_agent.strip() or bool(BOT_USER_AGENT.search(user_agent))


@dataclass(frozen=True)
class Hit:
    path: str
    network: str = ""
    source: str = ""
    medium: str = ""
    campaign: str = ""


def clean_path(raw: str | None) -> str:
    """A page path as counted (``/actualites/x/``), or ``""`` if it is not one (a full
    address, a path escaping the site, an overlong one)."""
    if not raw:
        return ""
    parts = urlsplit(raw.strip())
    if parts.scheme or parts.netloc:
        return ""
    path = parts.path
    if not path.startswith("/") or len(path) > MAX_PATH or "\\" in path or "/../" in path:
        return ""
    if path.endswith("/index.html"):
        path = path.removesuffix("index.html")
    return path


def is_page(path: str, output: Path | None = None) -> bool:
    """Whether ``path`` is an HTML page of the built site: it ends with ``/`` (its
    ``index.html``) or ``.html``, and the site has that file. Feeds, styles, pictures and other
    files are not pages. When the CMS has no built site at hand (the site is built elsewhere),
    every well-formed page path is accepted."""
    if not path.endswith(("/", ".html")):
        return False
    root = Path(output or settings.RELAIS_SITE_OUTPUT)
    if not root.exists():
        return True
    target = root / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    try:
        return target.resolve().is_relative_to(root.resolve()) and target.is_file()
    except OSError:
        return False


def hit_from(path: str, utm: dict[str, str], referrer_host: str = "") -> Hit:
    """The hit of a page view: its network (:func:`network_for`), and the ``utm_*`` values
    that may be kept (:func:`utm_value`)."""
    return Hit(
        path=path,
        network=network_for(utm.get("utm_source", ""), referrer_host),
        source=utm_value(utm.get("utm_source")),
        medium=utm_value(utm.get("utm_medium")),
        campaign=utm_value(utm.get("utm_campaign")),
    )


def utm_of(url: str | None) -> dict[str, str]:
    """The ``utm_*`` parameters of a URL."""
    if not url:
        return {}
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return {}
    return {k: v[0] for k, v in query.items() if k.startswith("utm_") and v}


def external_host(url: str | None, site_url: str | None = None) -> str:
    """The host of a referring URL, unless it is the site itself."""
    host = host_of(url)
    own = host_of(site_url or settings.RELAIS_SITE_URL)
    return "" if not host or host == own else host


def capped(hit: Hit, day: dt.date, site: Site) -> Hit:
    """``hit`` with each source, medium or campaign that would be a new distinct value of the
    site's day past ``RELAIS_COUNTER_DISTINCT_VALUES`` replaced by :data:`OTHER`."""
    limit = int(settings.RELAIS_COUNTER_DISTINCT_VALUES)
    changes = {}
    for column in CAPPED:
        value = getattr(hit, column)
        if not value or value == OTHER:
            continue
        today = PageViewCount.objects.filter(site=site, day=day)
        if today.filter(**{column: value}).exists():
            continue
        seen = today.exclude(**{column: ""}).exclude(**{column: OTHER}).values(column).distinct()
        if seen.count() >= limit:
            changes[column] = OTHER
    return replace(hit, **changes) if changes else hit


def record(
    hit: Hit,
    day: dt.date,
    channel: str = PageViewCount.Channel.PIXEL,
    views: int = 1,
    *,
    site: Site,
) -> None:
    """Add ``views`` to the row of this (site, day, page, source, channel), creating it if
    needed (past the day's cap of distinct values, see :func:`capped`)."""
    hit = capped(hit, day, site)
    key = {
        "site": site,
        "day": day,
        "path": hit.path,
        "network": hit.network,
        "source": hit.source,
        "medium": hit.medium,
        "campaign": hit.campaign,
        "channel": channel,
    }
    if PageViewCount.objects.filter(**key).update(views=F("views") + views):
        return
    try:
        with transaction.atomic():
            PageViewCount.objects.create(**key, views=views)
    except IntegrityError:  # created by a concurrent request in between
        PageViewCount.objects.filter(**key).update(views=F("views") + views)
