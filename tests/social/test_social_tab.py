"""The editor's Social tab: the text each network will get, counted by the real composer as the
network counts it (X's weighting), overrides checked on save, and used for the real post."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from twitter_text import parse_tweet

from cms.publishing.models import ExportRecord
from cms.social.compose import item_from_record
from cms.social.models import Delivery
from syndication.compose import compose
from syndication.networks import registry
from tests.cms.factories import make_item
from tests.social.support import edit_through_admin, form_data, make_account

# CJK and emoji weigh 2 on X, a URL 23, whatever its length
OVERRIDE = "Bravo Léa 🎉 nouvelle directrice technique ! 日本語でも。 #Alumni"


@pytest.fixture
def item(site_tree, fakes, admin_user, client, settings, django_capture_on_commit_callbacks):
    # A real domain: X counts a link to an IP address as text, not as a 23-weight URL
    settings.RELAIS_SITE_URL = "https://alumni.example.org"
    for fake in fakes.values():
        make_account(site_tree["site"], fake, owner=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree, tags=["numérique", "industrie"])
    client.force_login(admin_user)
    return page


def blocks(html: bytes) -> dict[str, BeautifulSoup]:
    soup = BeautifulSoup(html, "html.parser")
    return {b["data-network"]: b for b in soup.select("[data-social-texts] [data-network]")}


def test_the_tab_shows_what_each_network_will_get_with_its_count(item, client):
    response = client.get(f"/admin/pages/{item.pk}/edit/")
    html = response.content.decode()
    assert "Réseaux sociaux" in html
    assert '<script src="/static/social/social_tab.js" defer></script>' in html
    assert finders.find("social/social_tab.js")
    shown = blocks(response.content)
    assert set(shown) == {"mastodon", "x", "linkedin", "facebook", "instagram"}
    live = item_from_record(ExportRecord.objects.get(page_id=item.pk))
    for name in ("mastodon", "x", "linkedin", "facebook"):
        post = compose(live, registry.create(name))
        block = shown[name]
        assert block.select_one("[data-social-text]").get_text() == post.text
        assert block.select_one("[data-social-length]").get_text() == str(post.length)
        assert block.select_one("[data-social-limit]").get_text() == str(post.limit)
    assert (
        "ne publie que des images"
        in shown["instagram"].select_one("[data-social-skipped]").get_text()
    )
    # and it is what went out: the tab lists the posts with their links
    assert (
        Delivery.objects.get(network="x").text
        == shown["x"].select_one("[data-social-text]").get_text()
    )
    for delivery in Delivery.objects.filter(state="sent"):
        assert f'href="{delivery.remote_url}"' in html
    assert f'href="/admin/social/pages/{item.pk}/"' in html  # Retry, post again


def test_live_counts_come_from_the_composer_as_the_editor_types(item, client):
    data = form_data(client.get(f"/admin/pages/{item.pk}/edit/").content)
    data["body-count"] = "0"  # what the StreamField's script adds in a browser
    data["social_texts-x-text"] = OVERRIDE
    data["title"] = "Un titre changé dans le formulaire"
    answer = client.post(f"/admin/social/preview/{item.pk}/", data).json()
    assert answer["error"] == ""
    x = answer["networks"]["x"]
    assert x["override"] is True and x["limit"] == 280
    assert x["text"].startswith(OVERRIDE) and "utm_source=x" in x["text"]
    assert x["length"] == parse_tweet(x["text"]).weightedLength
    assert x["length"] < len(x["text"])  # the 100-character link weighs 23
    # the other networks follow the form as typed, not the saved page
    assert answer["networks"]["mastodon"]["text"].startswith("Un titre changé dans le formulaire")

    data["social_texts-x-text"] = "Très long 🎉 " * 30
    over = client.post(f"/admin/social/preview/{item.pk}/", data).json()["networks"]["x"]
    assert over["length"] > 280
    assert over["error"] == (
        f"Le texte pour X compte {over['length']} caractères comme X les compte (lien compris) ; "
        f"la limite est de 280 : raccourcissez-le de {over['length'] - 280}."
    )


def test_a_text_over_the_limit_is_refused_with_a_clear_error(item, client):
    before = item.get_latest_revision().pk
    response = edit_through_admin(
        client, item, publish=False, **{"social_texts-x-text": "Très long 🎉 " * 30}
    )
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert "raccourcissez-le de" in soup.get_text()
    assert "Le texte pour X compte" in soup.get_text()
    item.refresh_from_db()
    assert item.get_latest_revision().pk == before


def test_the_editors_text_and_time_are_saved_and_posted(
    item, client, fakes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_through_admin(
            client,
            item,
            **{
                "social_texts-x-text": OVERRIDE,
                "social_texts-linkedin-post_at": "2031-05-04T09:30",
            },
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.social_texts["x"]["text"] == OVERRIDE
    assert item.social_texts["linkedin"]["post_at"].startswith("2031-05-04T09:30:00+02:00")
    edit = blocks(client.get(f"/admin/pages/{item.pk}/edit/").content)
    assert edit["x"].select_one("textarea").get_text() == OVERRIDE
    assert (
        edit["linkedin"].select_one('input[type="datetime-local"]')["value"] == "2031-05-04T09:30"
    )
    # it was already posted (first publish); posting again uses the editor's text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/social/pages/{item.pk}/repost/",
            {"account": [Delivery.objects.get(network="x").account_id]},
        )
    assert fakes["x"].posts[-1]["text"].startswith(OVERRIDE)
    assert fakes["x"].posts[-1]["text"] == Delivery.objects.get(network="x", round=2).text


def test_the_strictest_limit_of_the_site_accounts_applies(item, client, fakes, site_tree):
    small = make_account(
        site_tree["site"],
        fakes["mastodon"],
        display_name="Petit serveur",
        remote_id="2@small.example",
        network_settings={"max_length": 200},
    )
    assert small.make_network().max_length == 200
    shown = blocks(client.get(f"/admin/pages/{item.pk}/edit/").content)
    assert shown["mastodon"].select_one("[data-social-limit]").get_text() == "200"


def test_a_new_item_gets_its_preview_too(site_tree, fakes, admin_user, client):
    make_account(site_tree["site"], fakes["x"], owner=admin_user)
    client.force_login(admin_user)
    index = site_tree["indexes"]["parcours"]
    add = f"/admin/pages/add/content/careerstorypage/{index.pk}/"
    page = BeautifulSoup(client.get(add).content, "html.parser")
    url = page.select_one("[data-social-texts]")["data-preview-url"]
    assert url == f"/admin/social/preview/new/content/careerstorypage/{index.pk}/"
    data = form_data(client.get(add).content)
    data["body-count"] = "0"
    assert client.post(url, data).json()["error"].startswith("Complétez l'article")
    data.update(
        {
            "title": "De stagiaire à CTO",
            "slug": "de-stagiaire-a-cto",
            "body-count": "0",
            "summary": "Léa raconte.",
            "alumnus_name": "Léa Martin",
        }
    )
    answer = client.post(url, data).json()
    assert answer["error"] == "", answer
    text = answer["networks"]["x"]["text"]
    assert "utm_campaign=parcours" in text and "/parcours/de-stagiaire-a-cto/" in text


def test_texts_of_a_network_without_account_today_are_kept(
    item, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        edit_through_admin(
            client,
            item,
            **{"social_texts-instagram-text": "Pour Instagram", "social_texts-x-text": "Pour X"},
        )
    item.refresh_from_db()
    assert set(item.social_texts) == {"instagram", "x"}
    from cms.social.models import SocialAccount

    SocialAccount.objects.filter(network="instagram").update(active=False)
    assert "instagram" not in blocks(client.get(f"/admin/pages/{item.pk}/edit/").content)
    with django_capture_on_commit_callbacks(execute=True):
        edit_through_admin(client, item, **{"social_texts-x-text": ""})
    item.refresh_from_db()
    assert item.social_texts == {"instagram": {"text": "Pour Instagram", "post_at": ""}}
