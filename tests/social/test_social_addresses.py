"""The servers a person types in the connect forms (Mastodon's, Bluesky's PDS) are reached over
https on public addresses only, redirects included; so is every later call to them.

No test here may connect anywhere but loopback: ``outside`` refuses (and records) any other
connection attempt before a packet leaves."""

from __future__ import annotations

import socket

import pytest
from bs4 import BeautifulSoup

from cms.social.models import SocialAccount
from syndication.errors import PermanentError
from syndication.testing.fakes import FakeMastodon
from syndication.testing.fakes.base import Response

METADATA = "http://169.254.169.254/latest/meta-data/"


@pytest.fixture
def outside(monkeypatch) -> list:
    """Connection attempts to anything but loopback, refused before they leave."""
    attempts: list = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost")):
            attempts.append(address)
            raise ConnectionRefusedError(f"test: no connection to {address} from here")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def text_of(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


def post_form(client, network: str, site, **fields):
    return client.post(f"/admin/social/connect/{network}/", {"site": site.pk, **fields})


def test_mastodon_form_refuses_http_and_internal_addresses(site_tree, logged_in, settings, outside):
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = ""  # production
    with FakeMastodon() as server:
        plain = post_form(logged_in, "mastodon", site_tree["site"], instance=server.url)
        assert plain.status_code == 200
        assert "n'est pas une adresse https" in text_of(plain)
        secure = server.url.replace("http://", "https://")
        local = post_form(logged_in, "mastodon", site_tree["site"], instance=secure)
        assert "mène à une adresse privée ou interne (127.0.0.1)" in text_of(local)
        named = post_form(
            logged_in,
            "mastodon",
            site_tree["site"],
            instance=server.url.replace("http://127.0.0.1", "https://localhost"),
        )
        assert "mène à une adresse privée ou interne" in text_of(named)
        metadata = post_form(logged_in, "mastodon", site_tree["site"], instance="169.254.169.254")
        assert "adresse privée ou interne (169.254.169.254)" in text_of(metadata)
        assert server.requests == []  # nothing was asked of the server
    assert outside == []
    assert not SocialAccount.objects.exists()


def test_a_redirect_to_an_internal_address_is_not_followed(site_tree, logged_in, settings, outside):
    """A server on an allowed address answers a redirect to the metadata address."""
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = "loopback"  # the fake stands for a public server
    with FakeMastodon() as server:
        server.route(
            "POST",
            r"/api/v1/apps",
            lambda request: Response(307, None, {"Location": METADATA}),
            auth=False,
        )
        page = post_form(logged_in, "mastodon", site_tree["site"], instance=server.url)
        assert [r.path for r in server.requests] == ["/api/v1/apps"]
    assert outside == []  # the redirect was not followed
    text = text_of(page)
    assert "renvoie vers une adresse qui n'est pas publique ou pas en https" in text
    assert not SocialAccount.objects.exists()


def test_bluesky_form_refuses_internal_servers(site_tree, logged_in, settings, outside):
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = ""
    page = post_form(
        logged_in,
        "bluesky",
        site_tree["site"],
        identifier="alumni.bsky.social",
        app_password="abcd-efgh-ijkl-mnop",
        server="https://169.254.169.254",
    )
    text = text_of(page)
    assert "adresse privée ou interne (169.254.169.254)" in text
    assert "abcd-efgh-ijkl-mnop" not in text
    assert outside == []


def test_an_account_server_that_turned_internal_is_not_called(site_tree, settings, outside):
    """The address typed when connecting now resolves to an internal one (DNS rebinding): the
    delivery's client refuses to connect."""
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = ""
    account = SocialAccount(
        site=site_tree["site"],
        network="mastodon",
        display_name="Alumni",
        remote_id="109@social.example",
        base_url="https://169.254.169.254",
    )
    account.set_credentials({"access_token": "secret-token-value"})
    account.save()
    with pytest.raises(PermanentError, match="refused before anything was sent") as refused:
        account.client().verify_credentials()
    assert "secret-token-value" not in str(refused.value)
    assert outside == []
