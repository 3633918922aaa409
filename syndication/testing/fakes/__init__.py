"""Fake servers of the closed networks (and Mastodon), for the library's and the Django side's
tests. See :mod:`syndication.testing.fakes.base` for fault injection, and
:mod:`syndication.testing.fakes.oauth` for the authorization server of the connect flows.

:func:`client_for` builds the matching client, pointed at a running fake::

    with FakeX() as fake:
        client = client_for(fake, timeout=0.5)
"""

from __future__ import annotations

from typing import Any

from syndication.http import Client
from syndication.networks.facebook import FacebookClient
from syndication.networks.instagram import InstagramClient
from syndication.networks.linkedin import LinkedInClient
from syndication.networks.mastodon import MastodonClient
from syndication.networks.x import XClient
from syndication.testing.fakes.base import (
    ALL_FAULTS,
    RANDOM_FAULTS,
    CountingSession,
    FakeServer,
    Faults,
    Request,
    Response,
)
from syndication.testing.fakes.linkedin import FakeLinkedIn
from syndication.testing.fakes.mastodon import FakeMastodon
from syndication.testing.fakes.meta import FakeFacebook, FakeInstagram
from syndication.testing.fakes.oauth import FakeAuthorizationServer, OAuthProvider, pkce_challenge
from syndication.testing.fakes.x import FakeX

FAKES: dict[str, type[FakeServer]] = {
    "mastodon": FakeMastodon,
    "x": FakeX,
    "linkedin": FakeLinkedIn,
    "facebook": FakeFacebook,
    "instagram": FakeInstagram,
}


def credentials_for(fake: FakeServer) -> dict[str, Any]:
    """Credentials that the fake accepts, in the shape the real client reads."""
    creds: dict[str, Any] = {"access_token": fake.token}
    if isinstance(fake, FakeX):
        creds.update(refresh_token=fake.refresh_token, client_id=fake.client_id)
    elif isinstance(fake, FakeLinkedIn):
        creds.update(
            refresh_token=fake.refresh_token,
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            author=fake.author,
        )
    elif isinstance(fake, FakeFacebook):
        creds.update(page_id=fake.page_id)
    elif isinstance(fake, FakeInstagram):
        creds.update(ig_user_id=fake.ig_user_id)
    return creds


def client_for(fake: FakeServer, **kwargs: Any) -> Client:
    """The real client of the fake's network, talking to the fake."""
    classes: dict[str, type[Client]] = {
        "mastodon": MastodonClient,
        "x": XClient,
        "linkedin": LinkedInClient,
        "facebook": FacebookClient,
        "instagram": InstagramClient,
    }
    cls = classes[fake.network]
    if cls is LinkedInClient:
        kwargs.setdefault("auth_base_url", fake.url)
    return cls(credentials_for(fake), base_url=fake.url, **kwargs)


__all__ = [
    "ALL_FAULTS",
    "FAKES",
    "RANDOM_FAULTS",
    "CountingSession",
    "FakeAuthorizationServer",
    "FakeFacebook",
    "FakeInstagram",
    "FakeLinkedIn",
    "FakeMastodon",
    "FakeServer",
    "FakeX",
    "Faults",
    "OAuthProvider",
    "Request",
    "Response",
    "client_for",
    "credentials_for",
    "pkce_challenge",
]
