"""Requests to addresses a person typed (a Mastodon server, a Bluesky PDS, the feeds and pages
of watched sites): the one rule that decides where a server may connect, without Django.

- **https only**, and **public addresses only**: the host is resolved and *every* address it
  resolves to must be public (not loopback, private, link-local such as the cloud metadata
  address 169.254.169.254, shared, multicast, reserved, unspecified, nor an IPv6 form of one:
  IPv4-mapped, IPv4-compatible, NAT64, 6to4…). :func:`check_url` says so in a sentence a person
  can act on (in French, the product's language; ``code`` and ``params`` let a caller say it in
  another language).
- The requests themselves go through :func:`session`: every connection, redirects included, is
  made to an address resolved once, checked by the same rule (:func:`allowed`) and pinned
  (``requests-hardened``: no second lookup that DNS rebinding could answer differently), and
  every redirect must be https too; at most :data:`MAX_REDIRECTS` are followed.

:class:`Policy` relaxes the rule for development and tests: ``loopback`` also allows ``http://``
and this machine's own addresses, ``private`` allows ``http://`` and every private address.
The Django side reads it from a setting (``cms.core.outbound``).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES, InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

MAX_REDIRECTS = 5
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]

#: What :func:`check_url` says, by ``code`` (French source; ``%(name)s`` from ``params``).
MESSAGES: Mapping[str, str] = {
    "not_server": (
        "« %(url)s » n'est pas une adresse de serveur : écrivez par exemple %(example)s."
    ),
    "not_https": (
        "%(url)s n'est pas une adresse https : Relais ne se connecte qu'aux serveurs en "
        "https. Écrivez l'adresse en https://, par exemple https://%(host)s."
    ),
    "unknown_host": (
        "Le serveur %(host)s est introuvable : vérifiez son adresse (par exemple mastodon.social)."
    ),
    "private": (
        "%(host)s mène à une adresse privée ou interne (%(ip)s) : Relais ne s'y "
        "connecte pas. Donnez l'adresse publique du serveur."
    ),
}


_USERINFO = re.compile(r"(?<=//)[^/?#@]*@")


def redact(text: str) -> str:
    """``text`` with the user name and password of every address in it replaced by ``***``
    (``https://***@host/``): what is said or logged about an address never holds a secret."""
    return _USERINFO.sub("***@", text)


class UnsafeAddress(ValueError):
    """An address the server must not connect to; the message says what to type instead.
    ``code`` is a key of :data:`MESSAGES`, ``params`` fills its placeholders."""

    def __init__(self, message: str, *, code: str = "", params: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})

    @classmethod
    def of(cls, code: str, **params: Any) -> UnsafeAddress:
        params = {k: redact(v) if isinstance(v, str) else v for k, v in params.items()}
        return cls(MESSAGES[code] % params, code=code, params=params)


class BlockedAddress(requests.exceptions.InvalidURL):
    """A request (or one of its redirects) refused by :func:`session`: not https, or to an
    address that is not public (``host`` resolved to ``ip``). Nothing was sent."""

    host: str = ""
    ip: str = ""


@dataclass(frozen=True)
class Policy:
    """Where connections may go; the default is production's (https, public addresses)."""

    allow_http: bool = False
    allow_loopback: bool = False
    allow_private: bool = False

    @classmethod
    def parse(cls, value: str | None) -> Policy:
        """The policy a setting names: empty or ``0`` (production), ``loopback``, or ``1``
        (every private address). :class:`ValueError` for anything else."""
        value = str(value or "").strip().lower()
        if value in ("", "0", "false", "no", "off"):
            return cls()
        if value == "loopback":
            return cls(allow_http=True, allow_loopback=True)
        if value in ("1", "true", "yes", "on"):
            return cls(allow_http=True, allow_loopback=True, allow_private=True)
        raise ValueError(
            f"{value!r} is not understood: leave it unset in production, or set it to "
            "'loopback' or '1' for development."
        )

    def allows_scheme(self, scheme: str) -> bool:
        return scheme == "https" or (self.allow_http and scheme == "http")


def is_public(ip: IPAddress) -> bool:
    """Whether ``ip`` is an address of the public Internet (IPv6 forms of an IPv4 address are
    judged by that IPv4 address)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public(ip.ipv4_mapped)
        if ip.sixtofour is not None and not is_public(ip.sixtofour):
            return False
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return False
    return not any(ip in net for net in EXTRA_BLOCKED_NET_RANGES if net.version == ip.version)


def allowed(ip: IPAddress, policy: Policy) -> bool:
    if policy.allow_private:
        return True
    plain = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
    if policy.allow_loopback and plain.is_loopback:
        return True
    return is_public(ip)


def check_url(url: str, *, policy: Policy, resolve: Resolver = socket.getaddrinfo) -> str:
    """``url`` if the server may connect to it, else :class:`UnsafeAddress` saying why and what
    to type instead. The host is resolved here: all of its addresses must be allowed."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
        parts = None
    if parts is None or not host or parts.username or parts.password:
        raise UnsafeAddress.of("not_server", url=url, example="https://mastodon.social")
    if not policy.allows_scheme(parts.scheme):
        raise UnsafeAddress.of("not_https", url=url, host=host)
    try:
        found = resolve(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeAddress.of("unknown_host", host=host) from None
    for entry in found:
        ip = ipaddress.ip_address(entry[4][0].split("%")[0])
        if not allowed(ip, policy):
            raise UnsafeAddress.of("private", host=host, ip=ip)
    return url


class PinnedAdapter(IPFilterAdapter):
    """``requests-hardened``'s adapter (one lookup, the connection pinned to its answer),
    with the pinned address judged by :func:`allowed`, the same rule as :func:`check_url`:
    its own filter lets through reserved forms such as ``::7f00:1``."""

    def __init__(self, policy: Policy, *, is_https_proto: bool):
        super().__init__(is_https_proto=is_https_proto, allow_loopback=policy.allow_loopback)
        self.policy = policy

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        ip = ipaddress.ip_address(host_params["host"].strip("[]"))
        if not allowed(ip, self.policy):
            raise InvalidIPAddress(ip)
        return host_params, pool_kwargs


class GuardedSession(HTTPSession):
    """A ``requests`` session whose every request and redirect is checked by the policy."""

    def __init__(self, policy: Policy):
        super().__init__(
            Config(
                ip_filter_enable=False,  # the adapters below filter, with the policy's rule
                ip_filter_allow_loopback_ips=policy.allow_loopback,
                never_redirect=False,
                default_timeout=(5, 15),
            )
        )
        if not policy.allow_private:
            self.mount("http://", PinnedAdapter(policy, is_https_proto=False))
            self.mount("https://", PinnedAdapter(policy, is_https_proto=True))
        self.policy = policy
        self.max_redirects = MAX_REDIRECTS

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        if not self.policy.allows_scheme(parts.scheme):
            raise BlockedAddress(f"refused to connect to a {parts.scheme or 'relative'} address")
        try:
            return super().send(request, **kwargs)
        except InvalidIPAddress as exc:
            blocked = BlockedAddress(f"refused to connect to {exc}, not a public address")
            blocked.host, blocked.ip = parts.hostname or "", str(exc)
            raise blocked from None


def session(policy: Policy) -> GuardedSession:
    """A session for requests to addresses a person typed (see the module's docstring)."""
    return GuardedSession(policy)
