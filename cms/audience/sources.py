"""Where a visit comes from: the network of a ``utm_source`` or of a referring host.

Shared by the audience counter and the sign-up attribution, so that both name networks alike.
The network keys are the ``utm_source`` values syndication puts in the links it posts
(``syndication.registry``: ``mastodon``, ``bluesky``, ``x``, ``linkedin``, ``facebook``,
``instagram``).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

NETWORKS: dict[str, str] = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "x": "X",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "instagram": "Instagram",
}

#: Other spellings of a network in hand-made links (``?utm_source=twitter``).
SOURCE_ALIASES: dict[str, str] = {
    "twitter": "x",
    "t.co": "x",
    "bsky": "bluesky",
    "fb": "facebook",
    "ig": "instagram",
    "lnkd": "linkedin",
    "lnkd.in": "linkedin",
}

#: Referring hosts of the networks (a host matches itself and its sub-domains). Mastodon has
#: thousands of servers: only the largest are listed; its links carry ``utm_source`` anyway.
REFERRER_HOSTS: dict[str, str] = {
    "t.co": "x",
    "x.com": "x",
    "twitter.com": "x",
    "linkedin.com": "linkedin",
    "lnkd.in": "linkedin",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "instagram.com": "instagram",
    "bsky.app": "bluesky",
    "bsky.social": "bluesky",
    "mastodon.social": "mastodon",
    "mastodon.online": "mastodon",
    "mstdn.social": "mastodon",
    "mas.to": "mastodon",
    "piaille.fr": "mastodon",
    "mamot.fr": "mastodon",
}

MAX_VALUE = 100
_UNSAFE = re.compile(r"[^\w.@+/-]+")


def clean_value(value: str | None, max_length: int = MAX_VALUE) -> str:
    """A UTM value as stored: lower case, trimmed, no control or odd characters, bounded."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    text = _UNSAFE.sub("-", text).strip("-")
    return text[:max_length]


def host_of(url: str | None) -> str:
    """The host name of a URL (``https://www.linkedin.com/feed/`` -> ``linkedin.com``)."""
    if not url:
        return ""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    return clean_value(host, 253)


def network_of_referrer(host: str) -> str:
    host = host.lower().removeprefix("www.")
    for known, network in REFERRER_HOSTS.items():
        if host == known or host.endswith("." + known):
            return network
    return ""


def network_for(utm_source: str = "", referrer_host: str = "") -> str:
    """The network a visit came from: its ``utm_source`` (a known network, an alias, or any
    other source as written, e.g. ``newsletter``), else its referring host if that is a known
    network, else ``""`` (direct visit, another website, or a page of the site itself)."""
    source = clean_value(utm_source, 40)
    if source:
        return SOURCE_ALIASES.get(source, source)
    return network_of_referrer(referrer_host) if referrer_host else ""


def network_label(key: str) -> str:
    return NETWORKS.get(key, key)
