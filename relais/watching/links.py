"""Links written the one way, so that the same article is recognised whoever links to it.

:func:`normalise_link` makes an address absolute and drops what does not name the article:
tracking parameters (``utm_*``, the click ids of the big platforms, ``xtor`` of French media),
the fragment, the default port, a trailing slash (except the root's), the case of the scheme
and host, and the order of the query's parameters. Other parameters stay: ``?ref=123`` or
``?id=5`` name an article on many sites (a general-purpose cleaner such as courlan's drops
``ref``, ``source`` and every parameter starting with ``ga``, which would merge distinct
articles).

:func:`story_key` is the de-duplication key: the normalised link without its scheme and
without ``www.`` (``http://www.example.org/a/`` and ``https://example.org/a`` are one story).
:func:`title_key` is a title reduced to its words, for the "same title" rule.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

WEB = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Query parameters that track a visit and never name an article (lower case).
TRACKERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "xtor",
        "at_medium",
        "at_campaign",
        "at_source",
        "ncid",
        "sr_share",
    }
)
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_WORDS = re.compile(r"[^\w]+")


def is_tracker(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in TRACKERS


def _escapes(part: str) -> str:
    """Percent-escapes in upper case, escapes of unreserved characters decoded, characters
    that need one escaped (UTF-8)."""

    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return quote(_ESCAPE.sub(one, part), safe="/:@!$&'()*+,;=-._~%")


def _host(hostname: str) -> str:
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return hostname


def normalise_link(url: str, base: str | None = None) -> str | None:
    """``url`` (relative to ``base`` when given) written the one way (see the module's
    docstring); ``None`` when it is not a web address with a host."""
    url = (url or "").strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in WEB or not parts.hostname:
        return None
    host = _host(parts.hostname.lower())
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _escapes(parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = urlencode(
        sorted(
            (_escapes(k), _escapes(v))
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not is_tracker(k)
        ),
        safe="/:@!$'()*,;-._~%",
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def story_key(url: str) -> str:
    """The de-duplication key of a normalised link (see the module's docstring)."""
    parts = urlsplit(url)
    netloc = parts.netloc.removeprefix("www.")
    return f"{netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def title_key(title: str) -> str:
    """``title``'s words, without accents, case nor punctuation."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    return " ".join(_WORDS.sub(" ", plain.casefold()).split())
