"""Links already posted on the networks never break: publish, syndicate, change the slug (or
withdraw the item), and the address the network holds still leads somewhere true."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from django.conf import settings

from cms.content.models import ItemPage
from cms.social.models import Delivery
from tests.social.support import connect_through_admin, edit_through_admin, publish_through_admin
from tests.support import static_server

pytestmark = pytest.mark.browser


@pytest.fixture
def served(site_output, settings):
    """The static site the pipeline builds, served on loopback as its public address."""
    site_output.parent.mkdir(parents=True, exist_ok=True)
    with static_server(site_output) as url:
        settings.RELAIS_SITE_URL = url
        yield url


def test_a_posted_link_follows_the_item_to_its_new_slug_then_says_it_was_withdrawn(
    site_tree,
    site_output,
    admin_user,
    client,
    fakes,
    providers,
    served,
    page,
    django_capture_on_commit_callbacks,
):
    client.force_login(admin_user)
    connect_through_admin(client, "mastodon", site_tree["site"], instance=fakes["mastodon"].url)
    with django_capture_on_commit_callbacks(execute=True):
        publish_through_admin(
            client,
            site_tree["indexes"]["actualites"],
            title="Nomination de Léa Martin",
            slug="nomination-lea",
            summary="Léa Martin (promo 2012) prend la direction technique.",
        )
    item = ItemPage.objects.get(slug="nomination-lea")
    delivery = Delivery.objects.get(page_id=item.pk)
    assert delivery.state == "sent", delivery.reason
    posted = fakes["mastodon"].posts[0]["link"]  # what readers of Mastodon click
    assert urlsplit(posted).path == "/actualites/nomination-lea/"

    # The editor changes the slug: the item moves, nothing is posted again
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_through_admin(client, item, slug="lea-martin-directrice-technique")
    assert response.status_code == 302
    new_url = f"{served}/actualites/lea-martin-directrice-technique/"
    assert requests.get(new_url, timeout=10).status_code == 200
    assert len(fakes["mastodon"].posts) == 1

    old = requests.get(posted, timeout=10)
    assert old.status_code == 200
    soup = BeautifulSoup(old.text, "html.parser")
    assert soup.find("link", rel="canonical")["href"] == new_url
    assert soup.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={new_url}"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    moves = (site_output / "_redirects").read_text(encoding="utf-8")
    assert "/actualites/nomination-lea/ /actualites/lea-martin-directrice-technique/ 301" in moves

    # In a browser the posted link lands on the new page, its utm_* tags kept for the counter
    page.goto(posted)
    page.wait_for_url(f"{new_url}?**")
    assert page.locator("h1").inner_text() == "Nomination de Léa Martin"
    assert "utm_source=mastodon" in page.url and "utm_content=nomination-lea" in page.url

    # Withdrawn: both addresses say so, in French, instead of "not found"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/pages/{item.pk}/unpublish/", {"include_descendants": False})
    item.refresh_from_db()
    assert not item.live
    for url in (posted, new_url):
        answer = requests.get(url, timeout=10)
        assert answer.status_code == 200, url
        text = BeautifulSoup(answer.text, "html.parser").get_text(" ", strip=True)
        assert (
            "Article retiré" in text and "« Nomination de Léa Martin » n'est plus en ligne" in text
        )
    assert not (site_output / "_redirects").exists()
    assert "nomination-lea" not in (site_output / "sitemap.xml").read_text(encoding="utf-8")
    assert settings.RELAIS_SITE_URL == served
