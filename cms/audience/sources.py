"""Where a visit comes from, and which ``utm_*`` values may be kept.

Shared by the audience counter (pixel and access log) and the sign-up attribution, so that both
name networks alike and keep the same values.

- **Networks** come from the registry of syndication (``syndication.networks.registry``:
  ``mastodon``, ``bluesky``, ``x``, ``linkedin``, ``facebook``, ``instagram``), the
  ``utm_source`` values syndication puts in the links it posts, or one of their aliases
  (:data:`SOURCE_ALIASES`), or a network's referring host. Nothing else is a network.
- **Sources** (``utm_source``), media and campaigns are kept only when they are short
  slug-like values (:func:`utm_value`): letters, digits, ``.``, ``_`` and ``-``, at most
  :data:`MAX_VALUE` characters, nothing that looks like an e-mail address or a phone number.
  A ``utm_source`` that is no network (``newsletter``) is kept as the source, the network
  staying empty. Anything else is dropped, as if the link had no such tag.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from syndication.networks import registry

NETWORKS: dict[str, str] = {name: cls.label for name, cls in registry.items()}

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

#: The longest ``utm_*`` value kept (an item's slug as ``utm_content``).
MAX_VALUE = 100
_UNSAFE = re.compile(r"[^\w.@+/-]+")
_SLUG = re.compile(r"[^\W_][\w.-]*")
_PHONE_CHARS = re.compile(r"[\d\s+().-]+")


def clean_value(value: str | None, max_length: int = 100) -> str:
    """A host name or similar value as stored: lower case, trimmed, no control or odd
    characters, bounded."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    text = _UNSAFE.sub("-", text).strip("-")
    return text[:max_length]


def looks_personal(text: str) -> bool:
    """True for what looks like an e-mail address (an ``@``, or ``%40``) or a phone number (at
    least 6 digits making up half the value or more, e.g. ``+33 6 12 34 56 78``,
    ``tel-0612345678``)."""
    if "@" in text or "%40" in text:
        return True
    digits = sum(c.isdigit() for c in text)
    if digits < 6:
        return False
    return bool(_PHONE_CHARS.fullmatch(text)) or digits * 2 >= len(text.replace(" ", ""))


def utm_value(value: str | None) -> str:
    """A ``utm_*`` value as kept, or ``""`` when it must not be: lower case, a short slug-like
    value (:data:`MAX_VALUE` characters of letters, digits, ``.``, ``_``, ``-``), and nothing
    that looks like an e-mail address or a phone number (:func:`looks_personal`)."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if not text or len(text) > MAX_VALUE or looks_personal(text) or not _SLUG.fullmatch(text):
        return ""
    return text


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


def network_of_source(utm_source: str | None) -> str:
    """The registry network a ``utm_source`` names (itself or an alias), else ``""``."""
    source = utm_value(utm_source)
    source = SOURCE_ALIASES.get(source, source)
    return source if source in NETWORKS else ""


def network_for(utm_source: str = "", referrer_host: str = "") -> str:
    """The network a visit came from: the network its ``utm_source`` names (see
    :func:`network_of_source`), else its referring host's if that is a known network, else
    ``""`` (direct visit, another website, a source that is no network, or a page of the site
    itself)."""
    network = network_of_source(utm_source)
    if network:
        return network
    return network_of_referrer(referrer_host) if referrer_host else ""


def network_label(key: str) -> str:
    return NETWORKS.get(key, key)
