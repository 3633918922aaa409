"""A Mastodon account is stored under its real handle, from the server (its instance's domain),
not under the address typed in the connect form; accounts stored the old way are found again."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from cms.social.models import SocialAccount
from syndication.testing.fakes import FakeMastodon, OAuthProvider
from tests.social.support import connect_through_admin


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def mastodon(**options) -> FakeMastodon:
    server = FakeMastodon(**options)
    provider = OAuthProvider(lambda: {"access_token": server.token, "token_type": "Bearer"})
    provider.install(server, apps_path="/api/v1/apps")
    return server


@pytest.mark.parametrize("instance_v2", [True, False], ids=["v2-domain", "v1-uri"])
def test_handle_and_id_use_the_servers_domain(site_tree, logged_in, instance_v2):
    with mastodon(domain="social.example", instance_v2=instance_v2) as server:
        connect_through_admin(logged_in, "mastodon", site_tree["site"], instance=server.url)
        typed = server.url
    account = SocialAccount.objects.get(network="mastodon")
    assert account.handle == "@alumni@social.example"
    assert account.remote_id == "109@social.example"
    assert account.profile_url == "https://social.example/@alumni"
    assert account.base_url == typed  # the API is still called where it is served
    assert "127.0.0.1" not in account.handle + account.remote_id


@pytest.mark.parametrize("through", ["reconnect", "connect-again"])
def test_an_account_stored_under_the_typed_address_is_found_again(site_tree, logged_in, through):
    with mastodon(domain="social.example") as server:
        host = urlsplit(server.url).netloc
        old = SocialAccount(
            site=site_tree["site"],
            network="mastodon",
            display_name="Alumni",
            handle=f"@alumni@{host}",
            remote_id=f"109@{host}",
            base_url=server.url,
            status=SocialAccount.Status.RECONNECT,
        )
        old.set_credentials({"access_token": "revoked-token-value"})
        old.save()
        form = {"instance": server.url}
        if through == "reconnect":
            form["account"] = str(old.pk)
        connect_through_admin(logged_in, "mastodon", site_tree["site"], **form)
        token = server.token
    account = SocialAccount.objects.get(network="mastodon")
    assert account.pk == old.pk
    assert (account.remote_id, account.handle) == ("109@social.example", "@alumni@social.example")
    assert account.status == SocialAccount.Status.OK
    assert account.get_credentials()["access_token"] == token
