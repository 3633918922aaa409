"""Encryption at rest of the networks' credentials (Fernet: AES-128-CBC + HMAC-SHA256).

The key is ``settings.RELAIS_CREDENTIALS_KEY`` (environment variable of the same name): one
Fernet key, or several separated by commas, newest first. Everything is encrypted with the first
and decrypted with any of them (:class:`~cryptography.fernet.MultiFernet`), so a key is rotated
by putting the new one first, running ``manage.py rotate_credentials`` (re-encrypts every
account with the new key), then removing the old one.

Nothing decrypted is ever logged or shown: the plain credentials live only in the memory of
the network client that posts.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENERATE = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


class CredentialsUnreadable(Exception):
    """Stored credentials that the current keys cannot decrypt (the key changed)."""


def check_key(value: str | None = None) -> None:
    """Raise :class:`ImproperlyConfigured`, saying what to do, if the key setting is unusable."""
    _fernet(settings.RELAIS_CREDENTIALS_KEY if value is None else value)


@functools.lru_cache(maxsize=4)
def _fernet(setting: str) -> MultiFernet:
    keys = [k.strip() for k in (setting or "").split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured(
            "RELAIS_CREDENTIALS_KEY is not set. It encrypts the social networks' credentials: "
            f"generate one with {GENERATE}, set it in the environment of the admin and of the "
            "workers (the same key everywhere), and keep it: without it the stored credentials "
            "cannot be read and every account must be reconnected."
        )
    fernets = []
    for n, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"RELAIS_CREDENTIALS_KEY: key number {n} is not a Fernet key (32 bytes, URL-safe "
                f"base64, 44 characters). Generate one with {GENERATE}."
            ) from None
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(settings.RELAIS_CREDENTIALS_KEY)


def encrypt(data: Mapping[str, Any]) -> str:
    """``data`` (JSON-serialisable) as an encrypted token."""
    return fernet().encrypt(json.dumps(dict(data), sort_keys=True).encode("utf-8")).decode("ascii")


def decrypt(token: str) -> dict[str, Any]:
    """The data of a token made by :func:`encrypt`; ``{}`` for an empty token."""
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError):
        raise CredentialsUnreadable(
            "Les identifiants enregistrés de ce compte ne peuvent pas être déchiffrés (la clé "
            "RELAIS_CREDENTIALS_KEY a changé) : reconnectez le compte dans Paramètres → Réseaux."
        ) from None


def rotate(token: str) -> str:
    """The same data encrypted with the newest key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii") if token else token
