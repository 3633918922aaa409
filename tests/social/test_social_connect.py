"""Connect flows end to end: the admin's views, the network's authorize page and token endpoint
(local fakes playing the authorization servers), what is stored, and what goes wrong."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.utils import timezone

from cms.social.models import SocialAccount
from syndication.testing.fakes import FakeMastodon, pkce_challenge
from tests.social.support import connect_through_admin, follow


def messages_of(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(m.get_text(" ", strip=True) for m in soup.select(".messages li"))


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_x_authorization_code_with_pkce(site_tree, logged_in, fakes, providers):
    response = logged_in.get("/admin/social/connect/x/", {"site": site_tree["site"].pk})
    assert response.status_code == 302
    authorize = urlsplit(response.headers["Location"])
    params = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert f"{authorize.scheme}://{authorize.netloc}" == fakes["x"].url
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["redirect_uri"] == "http://testserver/admin/social/connect/x/callback/"
    assert params["scope"] == "tweet.read tweet.write users.read offline.access"
    assert params["state"] and params["state"] in logged_in.session["social_oauth"]
    page = follow(logged_in, response)
    assert "Compte X · Alumni connecté." in messages_of(page)
    account = SocialAccount.objects.get(network="x")
    assert (account.remote_id, account.handle) == (fakes["x"].user_id, "@alumni")
    assert account.token_expires_at is None  # renewed with the refresh token
    credentials = account.get_credentials()
    assert credentials["access_token"] == fakes["x"].token
    assert credentials["refresh_token"] == fakes["x"].refresh_token
    assert credentials["client_secret"] == "x-client-secret-value"
    # The fake checked the verifier against the challenge: the token was given only then
    token_request = next(r for r in fakes["x"].requests if r.path == "/2/oauth2/token")
    assert pkce_challenge(token_request.form["code_verifier"]) == params["code_challenge"]
    assert token_request.headers["authorization"].startswith("Basic ")  # confidential client
    assert "social_oauth" in logged_in.session and not logged_in.session["social_oauth"]


def test_state_is_checked_and_used_once(site_tree, logged_in, fakes, providers):
    start = logged_in.get("/admin/social/connect/linkedin/", {"site": site_tree["site"].pk})
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = back.headers["Location"].replace("http://testserver", "")
    forged = callback.replace("state=", "state=forged")
    refused = logged_in.get(forged, follow=True)
    assert "a expiré ou n'a pas été demandée depuis ce navigateur" in messages_of(refused)
    assert not SocialAccount.objects.exists()
    # the real state once...
    assert "connecté" in messages_of(logged_in.get(callback, follow=True))
    # ...but not twice (a replayed callback)
    assert "a expiré" in messages_of(logged_in.get(callback, follow=True))
    assert SocialAccount.objects.count() == 1
    # another browser (session) cannot use a state it did not start
    start = logged_in.get("/admin/social/connect/x/", {"site": site_tree["site"].pk})
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    from django.test import Client

    other = Client()
    other.force_login(SocialAccount.objects.get().owner)
    refused = other.get(back.headers["Location"].replace("http://testserver", ""), follow=True)
    assert "a expiré" in messages_of(refused)
    assert not SocialAccount.objects.filter(network="x").exists()


def test_refused_authorization_and_refused_token(site_tree, logged_in, fakes, providers, settings):
    providers["facebook"].deny = True
    page = connect_through_admin(logged_in, "facebook", site_tree["site"])
    assert "Connexion à Facebook annulée" in messages_of(page)
    providers["facebook"].deny = False
    settings.RELAIS_SOCIAL["facebook"]["client_secret"] = "wrong-app-secret"
    page = connect_through_admin(logged_in, "facebook", site_tree["site"])
    text = messages_of(page)
    assert "Facebook a refusé la connexion" in text and "recommencez" in text
    assert "wrong-app-secret" not in page.content.decode()
    assert not SocialAccount.objects.exists()


def test_facebook_stores_the_page_token_not_the_user_token(site_tree, logged_in, fakes, providers):
    connect_through_admin(logged_in, "facebook", site_tree["site"])
    connect_through_admin(logged_in, "instagram", site_tree["site"])
    facebook = SocialAccount.objects.get(network="facebook")
    assert facebook.get_credentials() == {
        "page_id": fakes["facebook"].page_id,
        "access_token": fakes["facebook"].token,
    }
    # the short-lived user token was exchanged for a long-lived one before reading the Pages
    grants = [
        r.form.get("grant_type")
        for r in fakes["facebook"].requests
        if r.path.endswith("/oauth/access_token")
    ]
    assert grants == [None, "fb_exchange_token"]
    pages_call = next(r for r in fakes["facebook"].requests if r.path.endswith("/me/accounts"))
    assert pages_call.bearer == "facebook-user-long-lived"
    instagram = SocialAccount.objects.get(network="instagram")
    assert instagram.remote_id == fakes["instagram"].ig_user_id
    assert instagram.get_credentials()["ig_user_id"] == fakes["instagram"].ig_user_id


def test_linkedin_asks_which_page_when_several(site_tree, logged_in, fakes, providers):
    fakes["linkedin"].administered = ["urn:li:organization:5515715", "urn:li:organization:42"]
    page = connect_through_admin(logged_in, "linkedin", site_tree["site"])
    choices = BeautifulSoup(page.content, "html.parser").select('input[name="remote_id"]')
    assert [c["value"] for c in choices] == fakes["linkedin"].administered
    assert not SocialAccount.objects.exists()
    logged_in.post(
        "/admin/social/connect/linkedin/choose/", {"remote_id": "urn:li:organization:42"}
    )
    account = SocialAccount.objects.get(network="linkedin")
    assert account.remote_id == "urn:li:organization:42"
    assert account.get_credentials()["author"] == "urn:li:organization:42"
    assert account.client_options == {"auth_base_url": fakes["linkedin"].url}
    # the refresh token lasts a year: that is when a person must reconnect
    assert abs(account.token_expires_at - (timezone.now() + dt.timedelta(days=365))) < dt.timedelta(
        minutes=1
    )


def test_mastodon_registers_the_app_and_reads_the_server_limits(
    site_tree, logged_in, providers, settings
):
    from syndication.testing.fakes import OAuthProvider

    with FakeMastodon(max_characters=1000) as server:
        provider = OAuthProvider(lambda: {"access_token": server.token, "token_type": "Bearer"})
        provider.install(server, apps_path="/api/v1/apps")
        page = connect_through_admin(logged_in, "mastodon", site_tree["site"], instance=server.url)
        assert "connecté" in messages_of(page)
        app = next(r for r in server.requests if r.path == "/api/v1/apps")
        assert (
            app.json["redirect_uris"] == "http://testserver/admin/social/connect/mastodon/callback/"
        )
        assert provider.exchanges[0]["scope"] == "read write:statuses"
        address = server.url
    account = SocialAccount.objects.get(network="mastodon")
    assert account.base_url == address
    assert account.network_settings == {"max_length": 1000, "url_length": 23}
    assert account.make_network().max_length == 1000


def test_bluesky_app_password_errors_are_plain_and_never_echo_the_password(
    site_tree, logged_in, pds, bluesky_user
):
    url = "/admin/social/connect/bluesky/"
    response = logged_in.post(
        url,
        {
            "site": site_tree["site"].pk,
            "identifier": bluesky_user["handle"],
            "app_password": "wrong-pass-word-1234",
            "server": pds.url,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert "Bluesky a refusé cet identifiant ou ce mot de passe d'application" in text
    assert "wrong-pass-word-1234" not in html
    assert not SocialAccount.objects.exists()
    response = logged_in.post(
        url,
        {
            "site": site_tree["site"].pk,
            "identifier": bluesky_user["handle"],
            "app_password": bluesky_user["app_password"],
            "server": pds.url,
        },
        follow=True,
    )
    account = SocialAccount.objects.get(network="bluesky")
    assert account.remote_id == bluesky_user["did"]
    assert account.handle == f"@{bluesky_user['handle']}"


def test_reconnecting_with_another_account_is_refused(site_tree, logged_in, fakes, providers):
    connect_through_admin(logged_in, "x", site_tree["site"])
    account = SocialAccount.objects.get()
    fakes["x"].user_id = "999"  # the person logs in to X as someone else
    start = logged_in.get(
        "/admin/social/connect/x/", {"site": site_tree["site"].pk, "account": account.pk}
    )
    page = follow(logged_in, start)
    assert "Ce n'est pas le même compte X" in messages_of(page)
    account.refresh_from_db()
    assert account.remote_id == "1460000000000000001"


def test_networks_not_configured_and_people_without_the_right(
    site_tree, client, settings, django_user_model
):
    settings.RELAIS_SOCIAL = {}
    editor = django_user_model.objects.create_user("redactrice", password="pw")
    editor.user_permissions.add(*Permission.objects.filter(codename="access_admin"))
    client.force_login(editor)
    assert client.get("/admin/social/accounts/").status_code == 302  # not for editors
    assert client.get("/admin/social/connect/x/").status_code == 302
    editor.user_permissions.add(Permission.objects.get(codename="change_socialaccount"))
    page = client.get("/admin/social/accounts/")
    assert page.status_code == 200
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.find("a", href=lambda h: h and h.startswith("/admin/social/connect/bluesky/"))
    assert not soup.find("a", href=lambda h: h and h.startswith("/admin/social/connect/x/"))
    page = client.get("/admin/social/connect/x/", follow=True)
    assert "X n'est pas encore configuré" in messages_of(page)


def test_accounts_whose_token_expires_soon_are_flagged(site_tree, logged_in, fakes):
    from tests.social.support import make_account

    soon = make_account(
        site_tree["site"], fakes["linkedin"], token_expires_at=timezone.now() + dt.timedelta(days=3)
    )
    later = make_account(
        site_tree["site"],
        fakes["mastodon"],
        token_expires_at=timezone.now() + dt.timedelta(days=300),
    )
    assert soon.current_status() == "expiring" and later.current_status() == "ok"
    page = BeautifulSoup(logged_in.get("/admin/social/accounts/").content, "html.parser")
    row = page.select_one(f'tr[data-account="{soon.pk}"]')
    assert "expire bientôt" in row.get_text() and "À reconnecter avant le" in row.get_text()
    assert "connecté" in page.select_one(f'tr[data-account="{later.pk}"]').get_text()
    soon.refresh_from_db()
    assert soon.status == "expiring"  # stored, for reports and filters
    dashboard = BeautifulSoup(logged_in.get("/admin/").content, "html.parser")
    panel = dashboard.find(string=lambda s: s and "Comptes de réseaux sociaux à reconnecter" in s)
    assert panel is not None
    assert "LinkedIn · Alumni linkedin" in panel.find_parent("section").get_text()
    assert "Mastodon" not in panel.find_parent("section").get_text()
