"""What an ambassador shares: the association's latest items, the text each network receives
(the association's own composer, :mod:`syndication.compose`, with the ambassador's link) and
the address that opens each network's composer with it.

Every link carries ``utm_source=<network>&utm_medium=ambassador&utm_campaign=ambassadeurs&
utm_content=<reference>``: the counter and the sign-up form read these (:mod:`cms.audience`,
:mod:`cms.members.attribution`), so that visits and sign-ups are the ambassador's.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.publishing.models import ExportRecord
from cms.social.compose import item_from_record
from syndication.compose import Composer
from syndication.errors import ComposeError
from syndication.models import Item, Segment
from syndication.networks import registry
from syndication.registry import Network
from syndication.text import with_utm

from .models import CAMPAIGN, MEDIUM, Ambassador

logger = logging.getLogger(__name__)

LATEST = 8
HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9-]{1,63})+$")


class AmbassadorComposer(Composer):
    """The association's composer, with the ambassador's reference in the link."""

    def __init__(self, reference: str, source: str = ""):
        self.reference = reference
        self.source = source

    def item_link(self, item: Item, network: Network) -> str:
        return share_url(item.url, self.source or network.name, self.reference)


def share_url(url: str, source: str, reference: str) -> str:
    return with_utm(url, source=source, medium=MEDIUM, campaign=CAMPAIGN, content=reference)


def mastodon_host(value: str | None) -> str:
    """A Mastodon server's host name as typed (``piaille.fr``, ``https://piaille.fr/``), or
    ``""`` when it is not one."""
    host = (value or "").strip().lower().removeprefix("https://").split("/")[0].lstrip("@")
    host = host.split("@")[-1]
    return host if HOST.match(host) else ""


@dataclass
class Share:
    """One way to share an item: the network, its ready text, and the composer's address."""

    network: str
    label: str
    text: str
    url: str
    link: str
    needs_server: bool = False


@dataclass
class SharedItem:
    title: str
    url: str
    summary: str
    live_at: dt.datetime
    shares: list[Share] = field(default_factory=list)


def latest_items(
    site: Site, limit: int = LATEST, since: dt.datetime | None = None
) -> list[tuple[Item, dt.datetime]]:
    """The association's latest items on its site (newest first), as they are live."""
    records = ExportRecord.objects.filter(site=site, withdrawn=False).exclude(live_at=None)
    if since is not None:
        records = records.filter(live_at__gte=since)
    found = []
    for record in records.order_by("-live_at")[:limit]:
        try:
            found.append((item_from_record(record), record.live_at))
        except Exception:  # a file missing or unreadable: the page shows the others
            logger.warning("Ambassadors: item %s could not be read", record.path)
    return found


def _compose(item: Item, name: str, reference: str, source: str = "") -> tuple[str, str]:
    """The text fitted to network ``name`` with the ambassador's link, written out in full
    (a network that shows links shortened, as Bluesky, gets them from a composer's text)."""
    post = AmbassadorComposer(reference, source).compose(item, registry.create(name))
    return typed_text(post.segments), post.link


def typed_text(segments: list[Segment]) -> str:
    return "".join(s.value if s.kind == "link" and s.value else s.text for s in segments)


def _q(**params: str) -> str:
    return urlencode(params, quote_via=quote)


#: Each way to share: (key, label, network whose limits the text fits, composer address).
#: The address is made from the text, the link and the item's title.
COMPOSERS: list[tuple[str, str, str, object]] = [
    (
        "linkedin",
        "LinkedIn",
        "linkedin",
        lambda t, link, title, server: (
            "https://www.linkedin.com/sharing/share-offsite/?" + _q(url=link)
        ),
    ),
    ("x", "X", "x", lambda t, link, title, server: "https://x.com/intent/tweet?" + _q(text=t)),
    (
        "bluesky",
        "Bluesky",
        "bluesky",
        lambda t, link, title, server: "https://bsky.app/intent/compose?" + _q(text=t),
    ),
    (
        "mastodon",
        "Mastodon",
        "mastodon",
        lambda t, link, title, server: f"https://{server}/share?" + _q(text=t) if server else "",
    ),
    (
        "facebook",
        "Facebook",
        "facebook",
        lambda t, link, title, server: "https://www.facebook.com/sharer/sharer.php?" + _q(u=link),
    ),
    (
        "whatsapp",
        "WhatsApp",
        "mastodon",
        lambda t, link, title, server: "https://wa.me/?" + _q(text=t),
    ),
    (
        "email",
        _("E-mail"),
        "mastodon",
        lambda t, link, title, server: "mailto:?" + _q(subject=title, body=t),
    ),
]


def shares_for(item: Item, ambassador: Ambassador, mastodon: str = "") -> list[Share]:
    """Each network's text and composer address for ``item`` (a network that cannot take the
    item, e.g. without a picture, is left out)."""
    server = mastodon_host(mastodon) or ambassador.mastodon_server
    shares: list[Share] = []
    for key, label, network, address in COMPOSERS:
        source = "" if key == network else key
        try:
            text, link = _compose(item, network, ambassador.reference, source)
        except ComposeError as exc:
            logger.info("Ambassadors: %s cannot go to %s: %s", item.key, key, exc)
            continue
        url = address(text, link, item.title, server)  # type: ignore[operator]
        shares.append(Share(key, str(label), text, url, link, needs_server=key == "mastodon"))
    return shares


def page_items(ambassador: Ambassador, mastodon: str = "") -> list[SharedItem]:
    return [
        SharedItem(
            item.title, item.url, item.summary, live_at, shares_for(item, ambassador, mastodon)
        )
        for item, live_at in latest_items(ambassador.site)
    ]
