"""Credentials are encrypted at rest, the key is required, and no secret ever shows: not in the
database column, the admin's pages, the errors, the e-mails, the logs or the session."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from cms.social import crypto
from cms.social.crypto import CredentialsUnreadable
from cms.social.models import Delivery, SocialAccount
from syndication.testing.fakes import FakeAuthorizationServer, Response
from tests.cms.factories import make_item
from tests.social.support import connect_through_admin, make_account
from tests.support import ROOT

SECRET_KEYS = re.compile(r"token|secret|password|jwt", re.I)


def secrets_of(*accounts: SocialAccount) -> set[str]:
    found = set()
    for account in accounts:
        for key, value in account.get_credentials().items():
            if SECRET_KEYS.search(key) and isinstance(value, str) and len(value) >= 6:
                found.add(value)
    return found


def test_credentials_are_encrypted_at_rest(site_tree, fakes, settings):
    account = make_account(site_tree["site"], fakes["linkedin"])
    secret = account.get_credentials()["client_secret"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM social_socialaccount WHERE id = %s", [account.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("gAAAAA")  # a Fernet token
    for value in secrets_of(account):
        assert value not in stored
        assert base64.b64encode(value.encode()).decode()[:12] not in stored
    assert SocialAccount.objects.get(pk=account.pk).get_credentials()["client_secret"] == secret

    # another key cannot read it, and says what to do
    old = settings.RELAIS_CREDENTIALS_KEY
    new = Fernet.generate_key().decode()
    settings.RELAIS_CREDENTIALS_KEY = new
    with pytest.raises(CredentialsUnreadable, match="reconnectez le compte"):
        SocialAccount.objects.get(pk=account.pk).get_credentials()
    # rotation: the new key first, the old one still accepted, re-encrypt, drop the old one
    settings.RELAIS_CREDENTIALS_KEY = f"{new},{old}"
    out = io.StringIO()
    call_command("rotate_credentials", stdout=out)
    assert out.getvalue().strip() == "1 account(s) re-encrypted, 0 unreadable."
    settings.RELAIS_CREDENTIALS_KEY = new
    assert SocialAccount.objects.get(pk=account.pk).get_credentials()["client_secret"] == secret


def test_the_key_is_required_and_checked():
    with pytest.raises(ImproperlyConfigured, match=r"RELAIS_CREDENTIALS_KEY is not set.*generate"):
        crypto.check_key("")
    with pytest.raises(ImproperlyConfigured, match="key number 2 is not a Fernet key"):
        crypto.check_key(f"{Fernet.generate_key().decode()},not-a-key")
    crypto.check_key(Fernet.generate_key().decode())


def test_production_refuses_to_start_without_the_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "RELAIS_SECRET_KEY": "x" * 50,
        "RELAIS_VAR_DIR": str(tmp_path),
        "RELAIS_EMAIL_HOST": "smtp.alumni.example.org",  # production requires e-mail too
    }
    env.pop("RELAIS_CREDENTIALS_KEY", None)
    code = "import django; django.setup(); print('started')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "RELAIS_CREDENTIALS_KEY is not set" in result.stderr
    assert "Fernet.generate_key()" in result.stderr
    env["RELAIS_CREDENTIALS_KEY"] = Fernet.generate_key().decode()
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_no_secret_in_the_admin_the_errors_the_mails_or_the_logs(
    site_tree,
    fakes,
    providers,
    admin_user,
    client,
    caplog,
    settings,
    django_capture_on_commit_callbacks,
):
    caplog.set_level(logging.DEBUG)  # everything, requests' and urllib3's too
    site = site_tree["site"]
    client.force_login(admin_user)
    pages: list[str] = []

    def get(url: str, **params) -> None:
        response = client.get(url, params, follow=True)
        assert response.status_code == 200, url
        pages.append(response.content.decode())

    # accounts connected through the flows, plus one made directly
    for network in ("x", "linkedin", "facebook", "instagram"):
        pages.append(connect_through_admin(client, network, site).content.decode())
    # what the Mastodon flow keeps until its callback is encrypted in the session
    response = client.post(
        "/admin/social/connect/mastodon/", {"site": site.pk, "instance": fakes["mastodon"].url}
    )
    app_secrets = {c.client_secret for c in providers["mastodon"].clients.values()}
    session = json.dumps(dict(client.session.items()))
    assert app_secrets and not any(s in session for s in app_secrets)
    from tests.social.support import follow

    pages.append(follow(client, response).content.decode())
    accounts = list(SocialAccount.objects.all())
    assert len(accounts) == 5
    secrets = (
        secrets_of(*accounts)
        | {"x-client-secret-value", "meta-app-secret-value", fakes["linkedin"].client_secret}
        | app_secrets
    )

    # deliveries that succeed and fail in every way
    fakes["mastodon"].max_characters = 10  # refused: 422
    fakes["facebook"].faults.add("error_500", path="/feed")  # transient
    fakes["linkedin"].faults.add("rate_limit", path="/rest/posts")  # rate limited
    fakes["x"].expire_tokens()
    fakes["x"].refresh_token = "revoked"  # reconnect needed
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree)
    states = dict(Delivery.objects.values_list("network", "state"))
    assert states["mastodon"] == "failed" and states["x"] == "pending"
    assert SocialAccount.objects.get(network="x").status == "reconnect"
    x = SocialAccount.objects.get(network="x")
    client.post(f"/admin/social/accounts/{x.pk}/verify/")  # refused again, said plainly
    # a token endpoint that quotes what it was sent, secrets included
    with FakeAuthorizationServer({"access_token": "never"}) as echo:
        echo.routes.insert(
            0,
            (
                "POST",
                re.compile("^/oauth/token$"),
                lambda r: Response(
                    400, {"error": "invalid_client", "error_description": f"bad request {r.body!r}"}
                ),
                False,
            ),
        )
        settings.RELAIS_SOCIAL["linkedin"]["token_url"] = echo.token_url
        pages.append(connect_through_admin(client, "linkedin", site).content.decode())
    assert "LinkedIn a refusé la connexion" in pages[-1] and "[masqué]" in pages[-1]

    # every admin view of the accounts and the ledger
    get("/admin/")
    get("/admin/social/accounts/")
    for account in SocialAccount.objects.all():
        get(f"/admin/social/accounts/{account.pk}/")
        if account.network in ("bluesky", "mastodon"):
            get(f"/admin/social/connect/{account.network}/", account=account.pk)
    get("/admin/social/deliveries/")
    get("/admin/social/deliveries/", state="failed")
    get(f"/admin/social/pages/{page.pk}/")
    get(f"/admin/pages/{page.pk}/edit/")
    export = client.get("/admin/social/deliveries/", {"export": "csv"})
    assert export.status_code == 200
    pages.append(
        b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    )

    seen = "\n".join(
        [
            *pages,
            caplog.text,
            *(m.subject + m.body for m in mail.outbox),
            *(f"{d.reason} {d.text} {d.explanation}" for d in Delivery.objects.all()),
            *(f"{a.status_message} {a!r} {a} {a.client()!r}" for a in SocialAccount.objects.all()),
        ]
    )
    assert mail.outbox and "Facebook" in seen and "Réessayer" in seen
    leaked = sorted(s for s in secrets if s in seen)
    assert not leaked, f"secrets shown: {leaked}"
