"""Fixtures of the syndication tests on the Django side: the site tree of the CMS tests, the
fake networks (real HTTP servers on 127.0.0.1), Bluesky's reference PDS, accounts on them."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator

import pytest
import requests

from cms.social import delivery
from syndication.testing.fakes import FAKES, FakeServer, OAuthProvider
from syndication.testing.peers import LocalPDS, PeerUnavailable
from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401

_handles = itertools.count()


@pytest.fixture(autouse=True)
def social_settings(settings):
    """OAuth callbacks on the test client's host; no sleeping inside deliveries; the fake
    networks run on loopback, over http."""
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = "loopback"
    settings.RELAIS_SOCIAL_DELIVERY = {"timeout": 2.0, "max_inline_delay": 0.5, "resume_every": 0}
    sleeps: list[float] = []
    saved = delivery.sleep
    delivery.sleep = sleeps.append
    yield sleeps
    delivery.sleep = saved


@pytest.fixture
def fakes() -> Iterator[dict[str, FakeServer]]:
    """One running fake per closed network (and Mastodon), stopped at the end of the test."""
    started = {name: cls(stall=0.3).start() for name, cls in FAKES.items()}
    yield started
    for fake in started.values():
        fake.stop()


@pytest.fixture(scope="session")
def pds() -> Iterator[LocalPDS]:
    """Bluesky's reference PDS on loopback (installed into ~/.cache on first use)."""
    try:
        server = LocalPDS().start()
    except PeerUnavailable as exc:
        pytest.fail(f"The Bluesky PDS cannot run: {exc}")
    yield server
    server.stop()


@pytest.fixture
def bluesky_user(pds: LocalPDS) -> dict[str, str]:
    """A new account on the PDS, with an app password (what a person gives Relais)."""
    handle = f"alumni{next(_handles)}x{random.randrange(10**6)}.test"
    account = pds.create_account(handle)
    response = requests.post(
        f"{pds.url}/xrpc/com.atproto.server.createAppPassword",
        json={"name": "Relais"},
        headers={"Authorization": f"Bearer {account['accessJwt']}"},
        timeout=30,
    )
    response.raise_for_status()
    return {**account, "app_password": response.json()["password"]}


def callback(network: str) -> str:
    return f"http://testserver/admin/social/connect/{network}/callback/"


def mint(fake: FakeServer) -> str:
    """A new access token that the fake accepts (what a fresh authorization gives)."""
    with fake.lock:
        fake.token = f"{fake.network}-oauth-{random.getrandbits(48):012x}"
        fake.valid_tokens.add(fake.token)
        return fake.token


@pytest.fixture
def providers(fakes, settings) -> dict[str, OAuthProvider]:
    """Each fake network also plays its own authorization server, at the network's paths, with
    Relais registered as a client; the settings point the connect flows at them."""
    x, li, fb, ig, masto = (
        fakes[n] for n in ("x", "linkedin", "facebook", "instagram", "mastodon")
    )
    result = {
        "x": OAuthProvider(
            lambda: {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": mint(x),
                "refresh_token": x.refresh_token,
                "scope": "tweet.read tweet.write users.read offline.access",
            }
        ).install(x, authorize_path="/i/oauth2/authorize", token_path="/2/oauth2/token"),
        "linkedin": OAuthProvider(
            lambda: {
                "access_token": mint(li),
                "expires_in": 5183999,
                "refresh_token": li.refresh_token,
                "refresh_token_expires_in": 31536000,
            }
        ).install(li, authorize_path="/oauth/v2/authorization", token_path="/oauth/v2/accessToken"),
        "mastodon": OAuthProvider(
            lambda: {
                "access_token": mint(masto),
                "token_type": "Bearer",
                "scope": "read write:statuses",
                "created_at": int(time.time()),
            }
        ).install(masto, apps_path="/api/v1/apps"),
    }
    for name, fake in (("facebook", fb), ("instagram", ig)):
        fake.valid_tokens.add(f"{name}-user-long-lived")  # what /me/accounts is read with
        result[name] = OAuthProvider(
            {"access_token": f"{name}-user-short", "token_type": "bearer", "expires_in": 5183},
            long_lived={
                "access_token": f"{name}-user-long-lived",
                "token_type": "bearer",
                "expires_in": 5183944,
            },
            grant_type_optional=True,
        ).install(
            fake, authorize_path="/v23.0/dialog/oauth", token_path="/v23.0/oauth/access_token"
        )
        result[name].register_client("meta-app", "meta-app-secret-value", [callback(name)])
    result["x"].register_client(x.client_id, "x-client-secret-value", [callback("x")], pkce=True)
    result["linkedin"].register_client(li.client_id, li.client_secret, [callback("linkedin")])
    settings.RELAIS_SOCIAL = {
        "x": {
            "client_id": x.client_id,
            "client_secret": "x-client-secret-value",
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
        **{
            name: {
                "client_id": "meta-app",
                "client_secret": "meta-app-secret-value",
                "authorize_url": f"{fake.url}/v23.0/dialog/oauth",
                "token_url": f"{fake.url}/v23.0/oauth/access_token",
                "api_url": fake.url,
            }
            for name, fake in (("facebook", fb), ("instagram", ig))
        },
    }
    return result
