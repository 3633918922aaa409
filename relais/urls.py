"""Addresses written by people, and which of them a page of the site may link to.

Every address field of the content format (``event.registration_url``, ``canonical_url``,
``image`` and ``image_social`` when they are addresses) and of ``site.yaml`` (``signup_url``,
``counter_url``, the ``networks`` profiles) goes through :func:`check_url`; the CMS validates
its own fields with the same function, so that it never exports a file the build refuses.

An address is first normalised the way a browser reads it — spaces and control characters at
either end dropped, tabs and line breaks dropped anywhere, the scheme in any case — and only
then judged: ``java\\tscript:``, ``JaVaScRiPt:``, ``\\x00javascript:`` are all ``javascript:``.
Only ``http:`` and ``https:`` with a host are accepted, and ``mailto:`` where the caller says
so (a registration link may be an e-mail address, a canonical address may not). Everything
else is refused: ``javascript:``, ``data:``, ``vbscript:``, ``file:``, protocol-relative
``//host`` addresses, relative paths, and spellings a browser could read another way
(``&#x6A;avascript:`` has no scheme, so it is refused as not being a full address).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers remove ASCII tabs and line breaks anywhere in an address (WHATWG URL standard)
_DROPPED = str.maketrans("", "", "\t\n\r")
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]+@[^@\s<>\"'(),;:\\]+\.[^@\s<>\"'(),;:\\]+$")


class UnsafeURL(ValueError):
    """An address Relais will not put in a page; the message says what is accepted, ``code``
    why (``invisible``, ``credentials``, ``scheme``, ``not_full``, ``no_host``, ``mailto``,
    ``email``), for callers that say it in another language."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _invisible(char: str) -> bool:
    """Control, format, surrogate, unassigned and separator characters (spaces included)."""
    return unicodedata.category(char)[0] in "CZ"


def _strip_edges(value: str) -> str:
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def accepted(*, mailto: bool = False) -> str:
    """What an address field accepts, in words (the end of a refusal)."""
    web = "an address starting with https:// (or http://), e.g. https://www.example.org/page"
    return f"{web}, or mailto: and an e-mail address" if mailto else web


def is_address(value: str) -> bool:
    """Whether a field that takes an address or a path (a picture) holds an address: it has a
    scheme, or starts with ``//``, once read as a browser reads it."""
    url = _strip_edges(value).translate(_DROPPED)
    return url.startswith(("//", "\\\\", "/\\", "\\/")) or _SCHEME.match(url) is not None


def normalise_url(value: str) -> str:
    """``value`` as a browser reads it: edges stripped of spaces and control characters, tabs
    and line breaks dropped, the scheme in lower case."""
    url = _strip_edges(value).translate(_DROPPED)
    match = _SCHEME.match(url)
    if match:
        url = match.group(1).lower() + url[match.end(1) :]
    return url


def _no_invisible(url: str) -> str:
    for position, char in enumerate(url, start=1):
        if _invisible(char):
            raise UnsafeURL(
                f"contains a space or an invisible character (U+{ord(char):04X}, character "
                f"{position}): write a space as %20 and remove the others.",
                "invisible",
            )
    return url


def check_url(value: str, *, mailto: bool = False) -> str:
    """The normalised address, if a page may link to it; else :class:`UnsafeURL` saying what
    is accepted (``mailto`` also accepts ``mailto:`` and an e-mail address). The refusal never
    repeats the address: it may hold a password."""
    url = normalise_url(value)
    wanted = accepted(mailto=mailto)
    match = _SCHEME.match(url)
    if match is None:
        if url.startswith(("//", "\\\\", "/\\", "\\/")):
            raise UnsafeURL(
                f"the address has no scheme: write https: in front of it. Accepted: {wanted}.",
                "not_full",
            )
        raise UnsafeURL(f"not a full address. Accepted: {wanted}.", "not_full")
    scheme = match.group(1)
    if scheme in WEB_SCHEMES:
        try:
            parts = urlsplit(url)
            host, user = parts.hostname, parts.username
        except ValueError:
            host = user = None
        if not host or not url[match.end() :].startswith("//"):
            raise UnsafeURL(
                f"the address has no host: write it as {scheme}://www.example.org/page. "
                f"Accepted: {wanted}.",
                "no_host",
            )
        if user is not None:
            raise UnsafeURL(
                "the address carries a user name or a password before its host (…@): remove "
                "them, a page must not give them away.",
                "credentials",
            )
        return _no_invisible(url)
    if scheme == "mailto" and mailto:
        address = url[match.end() :].split("?", 1)[0]
        if not _EMAIL.match(address):
            raise UnsafeURL(
                "mailto: must be followed by an e-mail address, "
                "e.g. mailto:inscription@example.org.",
                "mailto",
            )
        return _no_invisible(url)
    raise UnsafeURL(f"'{scheme}:' addresses are not accepted. Accepted: {wanted}.", "scheme")


def check_email(value: str) -> str:
    """An e-mail address (without ``mailto:``), stripped; else :class:`UnsafeURL`."""
    address = _strip_edges(value)
    if not _EMAIL.match(address) or any(_invisible(c) for c in address):
        raise UnsafeURL(
            "not an e-mail address: write it as contact@example.org (without mailto:).", "email"
        )
    return address
