"""Requests to addresses a person typed (a Mastodon server, a Bluesky PDS, later the feeds and
pages of other sites): the one place that decides where the server may connect.

- **https only**, and **public addresses only**: the host is resolved and *every* address it
  resolves to must be public (not loopback, private, link-local such as the cloud metadata
  address 169.254.169.254, shared, multicast, reserved, unspecified, nor an IPv6 form of one:
  IPv4-mapped, NAT64, 6to4…). :func:`check_url` says so in a sentence a person can act on.
- The requests themselves go through :func:`session`: every connection, redirects included, is
  made to an address checked after resolution and pinned (``requests-hardened``: no second
  lookup that DNS rebinding could answer differently), and every redirect must be https too;
  at most :data:`MAX_REDIRECTS` are followed.

``RELAIS_ALLOW_PRIVATE_NETWORKS`` (off by default) is for development and tests only:
``loopback`` also allows ``http://`` and this machine's own addresses (the local fake networks
of the demo and the tests), ``1`` allows ``http://`` and every private address (a test server on
the local network).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES, InvalidIPAddress

MAX_REDIRECTS = 5
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]


class UnsafeAddress(ValueError):
    """An address the server must not connect to; the message says what to type instead."""


class BlockedAddress(requests.exceptions.InvalidURL):
    """A request (or one of its redirects) refused by :func:`session`: not https, or to an
    address that is not public. Nothing was sent."""


@dataclass(frozen=True)
class Policy:
    allow_http: bool = False
    allow_loopback: bool = False
    allow_private: bool = False

    @classmethod
    def from_settings(cls) -> Policy:
        value = str(getattr(settings, "RELAIS_ALLOW_PRIVATE_NETWORKS", "") or "").strip().lower()
        if value in ("", "0", "false", "no", "off"):
            return cls()
        if value == "loopback":
            return cls(allow_http=True, allow_loopback=True)
        if value in ("1", "true", "yes", "on"):
            return cls(allow_http=True, allow_loopback=True, allow_private=True)
        raise ImproperlyConfigured(
            f"RELAIS_ALLOW_PRIVATE_NETWORKS={value!r} is not understood: leave it unset in "
            "production, or set it to 'loopback' or '1' for development."
        )


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


def check_url(
    url: str, *, policy: Policy | None = None, resolve: Resolver = socket.getaddrinfo
) -> str:
    """``url`` if the server may connect to it, else :class:`UnsafeAddress` saying why and what
    to type instead. The host is resolved here: all of its addresses must be allowed."""
    policy = policy or Policy.from_settings()
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
        parts = None
    if parts is None or not host or parts.username or parts.password:
        raise UnsafeAddress(
            _("« %(url)s » n'est pas une adresse de serveur : écrivez par exemple %(example)s.")
            % {"url": url, "example": "https://mastodon.social"}
        )
    if parts.scheme != "https" and not (policy.allow_http and parts.scheme == "http"):
        raise UnsafeAddress(
            _(
                "%(url)s n'est pas une adresse https : Relais ne se connecte qu'aux serveurs en "
                "https. Écrivez l'adresse en https://, par exemple https://%(host)s."
            )
            % {"url": url, "host": host}
        )
    try:
        found = resolve(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeAddress(
            _(
                "Le serveur %(host)s est introuvable : vérifiez son adresse (par exemple "
                "mastodon.social)."
            )
            % {"host": host}
        ) from None
    for entry in found:
        ip = ipaddress.ip_address(entry[4][0].split("%")[0])
        if not allowed(ip, policy):
            raise UnsafeAddress(
                _(
                    "%(host)s mène à une adresse privée ou interne (%(ip)s) : Relais ne s'y "
                    "connecte pas. Donnez l'adresse publique du serveur."
                )
                % {"host": host, "ip": ip}
            )
    return url


class GuardedSession(HTTPSession):
    """A ``requests`` session whose every request and redirect is checked by the policy."""

    def __init__(self, policy: Policy):
        super().__init__(
            Config(
                ip_filter_enable=not policy.allow_private,
                ip_filter_allow_loopback_ips=policy.allow_loopback,
                never_redirect=False,
                default_timeout=(5, 15),
            )
        )
        self.policy = policy
        self.max_redirects = MAX_REDIRECTS

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        scheme = urlsplit(request.url or "").scheme
        if scheme != "https" and not (self.policy.allow_http and scheme == "http"):
            raise BlockedAddress(f"refused to connect to a {scheme or 'relative'} address")
        try:
            return super().send(request, **kwargs)
        except InvalidIPAddress as exc:
            raise BlockedAddress(f"refused to connect to {exc}, not a public address") from None


def session(policy: Policy | None = None) -> requests.Session:
    """A session for requests to addresses a person typed (see the module's docstring)."""
    return GuardedSession(policy or Policy.from_settings())
