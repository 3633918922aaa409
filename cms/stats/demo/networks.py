# ruff: noqa: S106  (demo fakes on loopback: paths and test secrets, no real credential)
"""The demo's networks: the library's local fakes (X, LinkedIn, Facebook, Instagram, Mastodon),
each playing its own authorization server, and the association's accounts connected to them
through the real connect flows (OAuth authorization code, PKCE for X, Mastodon's app
registration, Meta's Page tokens) and stored by the real code (:func:`save_candidate`)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.test import override_settings

from cms.social.connections import save_candidate
from cms.social.models import SocialAccount
from cms.social.providers import FLOWS, MastodonFlow
from cms.social.views.connect import callback_url
from syndication.testing.fakes import FAKES, FakeServer, OAuthProvider

#: The order the accounts are connected in.
NETWORKS = ["mastodon", "x", "linkedin", "facebook", "instagram"]
META_APP = ("relais-demo-meta", "relais-demo-meta-secret")


def _mint(fake: FakeServer) -> str:
    """A new access token the fake accepts (what a fresh authorization gives)."""
    with fake.lock:
        fake.token = f"{fake.network}-demo-{secrets.token_hex(8)}"
        fake.valid_tokens.add(fake.token)
        return fake.token


def _providers(fakes: dict[str, Any]) -> dict[str, Any]:
    """Each fake also answers its network's authorize and token endpoints; returns the
    ``RELAIS_SOCIAL`` settings pointing the connect flows at them."""
    x, li, masto = fakes["x"], fakes["linkedin"], fakes["mastodon"]
    OAuthProvider(
        lambda: {
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": _mint(x),
            "refresh_token": x.refresh_token,
            "scope": "tweet.read tweet.write users.read offline.access",
        }
    ).install(
        x, authorize_path="/i/oauth2/authorize", token_path="/2/oauth2/token"
    ).register_client(x.client_id, "x-demo-secret", [callback_url("x")], pkce=True)
    OAuthProvider(
        lambda: {
            "access_token": _mint(li),
            "expires_in": 5183999,
            "refresh_token": li.refresh_token,
            "refresh_token_expires_in": 31536000,
        }
    ).install(
        li, authorize_path="/oauth/v2/authorization", token_path="/oauth/v2/accessToken"
    ).register_client(li.client_id, li.client_secret, [callback_url("linkedin")])
    OAuthProvider(
        lambda: {
            "access_token": _mint(masto),
            "token_type": "Bearer",
            "scope": "read write:statuses",
            "created_at": int(time.time()),
        }
    ).install(masto, apps_path="/api/v1/apps")
    social: dict[str, Any] = {
        "x": {
            "client_id": x.client_id,
            "client_secret": "x-demo-secret",
            "authorize_url": f"{x.url}/i/oauth2/authorize",
            "token_url": f"{x.url}/2/oauth2/token",
            "api_url": x.url,
        },
        "linkedin": {
            "client_id": li.client_id,
            "client_secret": li.client_secret,
            "authorize_url": f"{li.url}/oauth/v2/authorization",
            "token_url": f"{li.url}/oauth/v2/accessToken",
            "api_url": li.url,
        },
    }
    for name in ("facebook", "instagram"):
        fake = fakes[name]
        fake.valid_tokens.add(f"{name}-demo-user-long-lived")  # reads /me/accounts
        OAuthProvider(
            {"access_token": f"{name}-demo-user-short", "token_type": "bearer", "expires_in": 5183},
            long_lived={
                "access_token": f"{name}-demo-user-long-lived",
                "token_type": "bearer",
                "expires_in": 5183944,
            },
            grant_type_optional=True,
        ).install(
            fake, authorize_path="/v23.0/dialog/oauth", token_path="/v23.0/oauth/access_token"
        ).register_client(*META_APP, [callback_url(name)])
        social[name] = {
            "client_id": META_APP[0],
            "client_secret": META_APP[1],
            "authorize_url": f"{fake.url}/v23.0/dialog/oauth",
            "token_url": f"{fake.url}/v23.0/oauth/access_token",
            "api_url": fake.url,
        }
    return social


@contextmanager
def running_fakes() -> Iterator[dict[str, FakeServer]]:
    """The fakes, started on loopback with the settings pointing at them; stopped at the end,
    whatever happens."""
    fakes: dict[str, FakeServer] = {}
    try:
        for name in NETWORKS:
            fakes[name] = FAKES[name]().start()
        # the fakes listen on loopback, over http: allowed for the demo's connections only
        with override_settings(
            RELAIS_SOCIAL=_providers(fakes), RELAIS_ALLOW_PRIVATE_NETWORKS="loopback"
        ):
            yield fakes
    finally:
        for fake in fakes.values():
            fake.stop()


def _code(authorize_url: str) -> str:
    """Go to the network's authorize page (the fake consents at once) and read the code it
    sends back to Relais' callback address."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    if response.status_code != 302:
        raise RuntimeError(
            f"{authorize_url} did not consent: {response.status_code} {response.text[:200]}"
        )
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    if "code" not in query:
        raise RuntimeError(f"The authorization was refused: {query}")
    return query["code"][0]


def connect(network: str, fake: FakeServer, site: Any, owner: Any) -> SocialAccount:
    """One account connected as a person would through Paramètres → Réseaux."""
    redirect_uri, state = callback_url(network), secrets.token_urlsafe(16)
    if network == "mastodon":
        flow: Any = MastodonFlow()
        kept: dict[str, Any] = flow.register(fake.url, redirect_uri)
        url = flow.authorize_url(kept, redirect_uri, state)
    else:
        flow = FLOWS[network]()
        url, kept = flow.start(redirect_uri, state)
    tokens = flow.exchange(_code(url), redirect_uri, kept)
    candidate = flow.candidates(tokens, kept)[0]
    account, _created = save_candidate(site, network, candidate, user=owner)
    return account
