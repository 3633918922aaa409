"""Requests to addresses a person typed (a Mastodon server, a Bluesky PDS, the feeds and pages
of watched sites), seen from Django: the rule itself is :mod:`relais.outbound`, shared with the
watching engine; this module reads the policy from the settings and says refusals in the
admin's language.

``RELAIS_ALLOW_PRIVATE_NETWORKS`` (off by default) is for development and tests only:
``loopback`` also allows ``http://`` and this machine's own addresses (the local fake networks
of the demo and the tests), ``1`` allows ``http://`` and every private address (a test server on
the local network).
"""

from __future__ import annotations

import socket

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext, gettext_noop

from relais import outbound
from relais.outbound import (
    MAX_REDIRECTS,
    BlockedAddress,
    GuardedSession,
    Policy,
    Resolver,
    UnsafeAddress,
    allowed,
    is_public,
)

__all__ = [
    "MAX_REDIRECTS",
    "BlockedAddress",
    "GuardedSession",
    "Policy",
    "UnsafeAddress",
    "allowed",
    "check_url",
    "is_public",
    "policy_from_settings",
    "session",
]

# The French sources of relais.outbound.MESSAGES, for the catalogue (a test keeps them equal)
MESSAGES = {
    "not_server": gettext_noop(
        "« %(url)s » n'est pas une adresse de serveur : écrivez par exemple %(example)s."
    ),
    "not_https": gettext_noop(
        "%(url)s n'est pas une adresse https : Relais ne se connecte qu'aux serveurs en "
        "https. Écrivez l'adresse en https://, par exemple https://%(host)s."
    ),
    "unknown_host": gettext_noop(
        "Le serveur %(host)s est introuvable : vérifiez son adresse (par exemple mastodon.social)."
    ),
    "private": gettext_noop(
        "%(host)s mène à une adresse privée ou interne (%(ip)s) : Relais ne s'y "
        "connecte pas. Donnez l'adresse publique du serveur."
    ),
}


def policy_from_settings() -> Policy:
    """The policy ``RELAIS_ALLOW_PRIVATE_NETWORKS`` names."""
    value = getattr(settings, "RELAIS_ALLOW_PRIVATE_NETWORKS", "")
    try:
        return Policy.parse(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"RELAIS_ALLOW_PRIVATE_NETWORKS={exc}") from None


def check_url(
    url: str, *, policy: Policy | None = None, resolve: Resolver = socket.getaddrinfo
) -> str:
    """``url`` if the server may connect to it, else :class:`UnsafeAddress` saying why and what
    to type instead, in the admin's language (see :func:`relais.outbound.check_url`)."""
    try:
        return outbound.check_url(url, policy=policy or policy_from_settings(), resolve=resolve)
    except UnsafeAddress as exc:
        message = gettext(MESSAGES[exc.code]) % exc.params
        raise UnsafeAddress(message, code=exc.code, params=exc.params) from None


def session(policy: Policy | None = None) -> GuardedSession:
    """A session for requests to addresses a person typed (see :mod:`relais.outbound`)."""
    return outbound.session(policy or policy_from_settings())
