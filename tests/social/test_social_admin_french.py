"""What the admin says about an item's posts, as a secretary reads it: each post's state once
(never "publié / Publié."), with only what the state does not say; and, when no account will
post the item, the truth about the site's accounts — never "no account connected" above the
posts those accounts made."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.staticfiles import finders
from django.utils import timezone

from cms.publishing.models import ExportRecord
from cms.social.models import Delivery, SocialAccount
from tests.cms.factories import make_item

KEY = "actualites/nomination-lea-martin"


def account(site, network: str, **fields) -> SocialAccount:
    fields = {"display_name": "Alumni", "remote_id": f"{network}-1", **fields}
    return SocialAccount.objects.create(site=site, network=network, **fields)


def post(page, acc: SocialAccount, state: str, reason: str = "", **fields) -> Delivery:
    return Delivery.objects.create(
        account=acc,
        page=page,
        item_key=KEY,
        network=acc.network,
        state=state,
        reason=reason,
        updated_at=timezone.now(),
        **fields,
    )


def states(html: bytes | str) -> dict[str, str]:
    """{account: what its state cell says}, from the posts' table (the technical detail, folded
    away, left out)."""
    soup = BeautifulSoup(html, "html.parser")
    for details in soup.select("table.social-deliveries details"):
        details.decompose()
    shown = {}
    for state in soup.select("table.social-deliveries tbody td:has(.social-state)"):
        name = state.find_previous_sibling("td").get_text(" ", strip=True)
        shown[name] = " ".join(state.get_text(" ", strip=True).split())
    return shown


@pytest.fixture
def item_with_posts(site_tree, admin_user, client):
    page = make_item(site_tree)
    ExportRecord.objects.create(  # live on the site
        page_id=page.pk,
        site=site_tree["site"],
        path=f"{KEY}.md",
        title=page.title,
        live_at=timezone.now(),
    )
    site = site_tree["site"]
    x, li, ig, masto = (account(site, n) for n in ("x", "linkedin", "instagram", "mastodon"))
    post(page, x, "sent", remote_id="1", remote_url="https://x.example/1")
    post(page, li, "sent", "found on the network after an uncertain attempt", remote_id="2")
    post(
        page,
        ig,
        "skipped",
        "Instagram ne publie que des images et cet article n'en a pas : ajoutez une image "
        "principale à l'article, ou laissez Instagram de côté pour lui.",
    )
    # written by an earlier version, with the state in front
    post(
        page,
        masto,
        "skipped",
        "Non publié : l'article a été retiré du site avant de partir sur ce réseau.",
    )
    client.force_login(admin_user)
    return page


@pytest.mark.parametrize(
    "where", ["/admin/social/pages/{pk}/", "/admin/social/deliveries/", "/admin/pages/{pk}/edit/"]
)
def test_each_post_states_its_state_once(item_with_posts, client, where):
    shown = states(client.get(where.format(pk=item_with_posts.pk)).content)
    assert shown["X · Alumni"] == "Publié"
    assert shown["LinkedIn · Alumni"] == (
        "Publié La réponse du réseau s'était perdue : Relais a retrouvé la publication au "
        "lieu de la refaire."
    )
    assert shown["Instagram · Alumni"].startswith("Non publié Instagram ne publie que des images")
    assert shown["Mastodon · Alumni"] == (
        "Non publié L'article a été retiré du site avant de partir sur ce réseau."
    )


def test_failures_say_why_and_what_next_without_saying_failure_twice(site_tree):
    page = make_item(site_tree)
    acc = account(site_tree["site"], "x")
    refused = post(page, acc, "failed", "x: POST /2/tweets refused with 422: duplicate")
    assert refused.explanation == (
        "Le réseau a refusé la publication (erreur 422) : vérifiez le texte dans l'onglet "
        "Réseaux sociaux de l'article, puis cliquez sur Réessayer."
    )
    assert refused.technical_detail.startswith("x: POST /2/tweets refused")
    Delivery.objects.filter(pk=refused.pk).update(
        reason="gave up after 1 attempts; last error: x: server error 503"
    )
    refused.refresh_from_db()
    assert refused.explanation == (
        "Après 1 tentative : le réseau ne répondait pas ou était en panne. "
        "Cliquez sur Réessayer plus tard."
    )


def test_switched_off_accounts_are_named_not_called_missing(item_with_posts, client):
    SocialAccount.objects.update(active=False)
    for where in (
        f"/admin/pages/{item_with_posts.pk}/edit/",
        f"/admin/social/pages/{item_with_posts.pk}/",
    ):
        soup = BeautifulSoup(client.get(where).content, "html.parser")
        said = " ".join(
            soup.select_one("[data-social-no-account]").get_text(" ", strip=True).split()
        )
        assert said.startswith(
            "Les comptes Instagram · Alumni, LinkedIn · Alumni, Mastodon · Alumni et X · Alumni "
            "sont désactivés : rien ne sera publié sur les réseaux tant qu'ils ne sont pas "
            "réactivés"
        )
        assert "Aucun compte" not in soup.get_text()
        assert len(states(str(soup))) == 4  # the posts they made are listed below


def test_a_site_without_accounts_is_told_to_connect_one(site_tree, admin_user, client):
    page = make_item(site_tree)
    client.force_login(admin_user)
    soup = BeautifulSoup(client.get(f"/admin/pages/{page.pk}/edit/").content, "html.parser")
    said = soup.select_one("[data-social-no-account]").get_text(" ", strip=True)
    assert said.startswith("Aucun compte de réseau social n'est connecté pour ce site")
    assert soup.select_one("[data-social-no-account] a")["href"] == "/admin/social/accounts/"


def test_demo_posts_and_profiles_link_nowhere(site_tree, admin_user, client):
    page = make_item(site_tree)
    fake = account(
        site_tree["site"], "linkedin", demo=True, profile_url="https://www.linkedin.com/company/x"
    )
    post(page, fake, "sent", remote_id="urn:li:share:1050", remote_url="https://www.linkedin.com/")
    client.force_login(admin_user)
    for where in (f"/admin/social/pages/{page.pk}/", "/admin/social/accounts/"):
        soup = BeautifulSoup(client.get(where).content, "html.parser")
        assert not soup.select("main a[href*='linkedin.com']"), where
    soup = BeautifulSoup(client.get(f"/admin/social/pages/{page.pk}/").content, "html.parser")
    assert soup.select_one(".social-demo").get_text() == "démonstration : pas de lien"


def test_demo_accounts_of_an_earlier_version_are_marked_and_their_addresses_forgotten(
    site_tree,
):
    page = make_item(site_tree)
    old = account(
        site_tree["site"],
        "x",
        display_name="Alumni (démo)",
        active=False,
        profile_url="https://x.com/alumni",
    )
    real = account(site_tree["site"], "mastodon", profile_url="https://mastodon.example/@a")
    post(page, old, "sent", remote_id="18", remote_url="https://x.com/alumni/status/18")
    post(page, real, "sent", remote_id="7", remote_url="https://mastodon.example/@a/7")
    migration = importlib.import_module("cms.social.migrations.0002_socialaccount_demo")
    migration.mark_demo_accounts(apps, None)
    old.refresh_from_db()
    real.refresh_from_db()
    assert (old.demo, old.profile_url) == (True, "")
    assert (real.demo, real.profile_url) == (False, "https://mastodon.example/@a")
    assert dict(Delivery.objects.values_list("network", "remote_url")) == {
        "x": "",
        "mastodon": "https://mastodon.example/@a/7",
    }


def test_the_accounts_page_names_the_site_and_says_no_deadline_once_past_it(
    site_tree, admin_user, client
):
    soon = timezone.now() + dt.timedelta(days=30)
    account(site_tree["site"], "linkedin", token_expires_at=soon)
    account(site_tree["site"], "x", token_expires_at=soon, status=SocialAccount.Status.RECONNECT)
    client.force_login(admin_user)
    soup = BeautifulSoup(client.get("/admin/social/accounts/").content, "html.parser")
    assert soup.select_one("main h2").get_text(strip=True) == "Site Alumni Exemple"
    rows = {
        r.find("strong").get_text(): r.get_text(" ", strip=True)
        for r in soup.select("tr[data-account]")
    }
    assert "À reconnecter avant le" in rows["LinkedIn"]
    assert "À reconnecter avant le" not in rows["X"]  # it must be reconnected now


def test_the_social_tabs_script_takes_its_words_from_the_translated_page(
    site_tree, admin_user, client
):
    page = make_item(site_tree)
    account(site_tree["site"], "mastodon")
    client.force_login(admin_user)
    soup = BeautifulSoup(client.get(f"/admin/pages/{page.pk}/edit/").content, "html.parser")
    assert soup.select_one("[data-social-texts]")["data-card-label"] == "Carte de lien :"
    script = finders.find("social/social_tab.js")
    assert "Carte de lien" not in open(script, encoding="utf-8").read()
