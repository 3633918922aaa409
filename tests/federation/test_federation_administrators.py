"""An association's administrators manage its network accounts and its settings, and nobody
else's; its editors and moderators do not manage them, even with the permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from cms.core.models import AssociationSettings
from cms.social.models import Delivery, SocialAccount
from tests.federation.builders import member_of

ACCOUNTS = "/admin/social/accounts/"


def account(tree, name: str, owner=None) -> SocialAccount:
    made = SocialAccount(
        site=tree["site"],
        network="mastodon",
        display_name=name,
        remote_id=name,
        base_url="http://127.0.0.1:9",
        owner=owner,
    )
    made.set_credentials({"access_token": f"jeton-{name}"})
    made.save()
    return made


@pytest.fixture
def accounts(two_sites, a_editor):
    return {
        "a": account(two_sites["a"], "Compte Alpha", owner=a_editor),
        "b": account(two_sites["b"], "Compte Bravo"),
    }


def settings_url(site) -> str:
    return f"/admin/settings/core/associationsettings/{site.pk}/"


def test_an_administrator_manages_the_associations_accounts(
    two_sites, accounts, b_user, a_editor, client
):
    client.force_login(b_user)
    page = client.get(ACCOUNTS).content.decode()
    assert "Compte Bravo" in page and "Compte Alpha" not in page
    form = client.get(f"/admin/social/accounts/{accounts['b'].pk}/").content.decode()
    # the owner is one of B's people
    assert f'<option value="{b_user.pk}"' in form
    assert f'<option value="{a_editor.pk}"' not in form
    theirs = accounts["a"].pk
    for url in (f"/admin/social/accounts/{theirs}/", f"/admin/social/accounts/{theirs}/verify/"):
        assert client.get(url).status_code in (404, 405)
    assert client.post(f"/admin/social/accounts/{theirs}/disconnect/").status_code == 404
    accounts["a"].refresh_from_db()
    assert accounts["a"].credentials and accounts["a"].active
    # connecting an account for another association's site is refused
    a_site = two_sites["a"]["site"].pk
    refused = client.get("/admin/social/connect/bluesky/", {"site": a_site})
    assert refused.status_code in (302, 403) and "Identifiant" not in refused.content.decode()
    assert "Identifiant" in client.get("/admin/social/connect/bluesky/").content.decode()
    assert client.get(f"/admin/social/connect/bluesky/?account={theirs}").status_code == 404


def test_editors_and_moderators_do_not_manage_accounts_even_with_the_permission(
    two_sites, accounts, client
):
    b = two_sites["b"]["association"]
    editor = member_of(b, "editors", "moderators", username="plume")
    editor.user_permissions.add(
        Permission.objects.get(codename="change_socialaccount"),
        Permission.objects.get(codename="change_associationsettings"),
    )
    client.force_login(editor)
    assert client.get(ACCOUNTS).status_code in (302, 403)
    assert client.get(f"/admin/social/accounts/{accounts['b'].pk}/").status_code == 404
    site = two_sites["b"]["site"]
    assert client.get(settings_url(site)).status_code in (302, 403)


def test_an_administrator_edits_the_associations_settings_only(two_sites, b_user, client):
    a, b = two_sites["a"]["site"], two_sites["b"]["site"]
    client.force_login(b_user)
    assert client.get("/admin/settings/core/associationsettings/").url == settings_url(b)
    form = client.get(settings_url(b)).content.decode()
    assert "Alumni B" in form and "Alumni A" not in form  # no switcher to A's
    data = {"name": "Alumni Bravo", "signup_label": "Adhérer", "contact_email": "", "lang": "fr"}
    assert client.post(settings_url(b), data).status_code == 302
    assert AssociationSettings.for_site(b).name == "Alumni Bravo"
    refused = client.post(settings_url(a), {**data, "name": "Pirate"})
    assert refused.status_code in (302, 403)
    assert AssociationSettings.for_site(a).name == "Alumni A"


def test_the_ledger_is_the_associations(two_sites, accounts, b_user, client):
    a_post = Delivery.objects.create(
        account=accounts["a"], item_key="actualites/alpha", network="mastodon", state="failed"
    )
    Delivery.objects.create(
        account=accounts["b"], item_key="actualites/bravo", network="mastodon", state="failed"
    )
    client.force_login(b_user)
    report = client.get("/admin/social/deliveries/").content.decode()
    assert "actualites/bravo" in report and "actualites/alpha" not in report
    assert client.post(f"/admin/social/deliveries/{a_post.pk}/retry/").status_code == 404
    a_post.refresh_from_db()
    assert a_post.state == "failed"


def test_the_sign_up_page_of_the_settings_is_the_sites_own(two_sites, admin_user, client):
    a, b = two_sites["a"], two_sites["b"]
    client.force_login(admin_user)
    data = {
        "name": "Alumni B",
        "signup_label": "Adhérer",
        "signup_page": a["signup"].pk,
        "lang": "fr",
    }
    refused = client.post(settings_url(b["site"]), data)
    assert "Cette page est sur le site d&#x27;une autre association" in refused.content.decode()
    assert AssociationSettings.for_site(b["site"]).signup_page_id == b["signup"].pk
