"""The ambassador's personal page: opened by its private link only, the association's latest
items with each network's text (the association's own composer) and share links carrying the
ambassador's reference."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from cms.ambassadors.models import Ambassador
from cms.ambassadors.sharing import typed_text
from cms.publishing.models import ExportRecord
from cms.social.compose import item_from_record
from syndication.compose import compose
from syndication.networks import registry

NETWORKS = ["linkedin", "x", "bluesky", "mastodon", "facebook", "whatsapp", "email"]


def page(client, ambassador: Ambassador, query: str = ""):
    return client.get(f"/ambassadeurs/{ambassador.token}/{query}")


def shares(response) -> dict[str, dict[str, list[str]]]:
    """network -> {"href": [...], "text": [...]} of every item on the page."""
    soup = BeautifulSoup(response.content, "html.parser")
    found: dict[str, dict[str, list[str]]] = {}
    for section in soup.select("section.share"):
        entry = found.setdefault(section["data-network"], {"href": [], "text": [], "link": []})
        link = section.select_one("a.share-link")
        entry["href"].append(link["href"] if link else "")
        entry["text"].append(section.select_one("textarea").get_text())
        entry["link"].append(section.select_one("a.copy-link")["href"])
    return found


def carried(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items() if k.startswith("utm_")}


def test_the_page_opens_from_its_token_and_shows_the_associations_items(world, client):
    response = page(client, world["ambassador"])
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "Gala annuel de A" in html and "Nomination chez A" in html
    assert html.index("Gala annuel de A") < html.index("Nomination chez A")  # newest first
    assert "Rentrée de B" not in html  # another association's item


def test_a_wrong_or_inactive_token_is_not_found(world, client):
    ambassador = world["ambassador"]
    assert client.get("/ambassadeurs/pas-la-bonne-cle/").status_code == 404
    assert client.get(f"/ambassadeurs/{ambassador.token[:-1]}x/").status_code == 404
    Ambassador.objects.filter(pk=ambassador.pk).update(active=False)
    assert page(client, ambassador).status_code == 404
    unsubscribe = f"/ambassadeurs/{ambassador.token}/desabonnement/"
    assert client.get(unsubscribe).status_code == 404


def test_every_share_link_carries_the_reference(world, client):
    ambassador = world["ambassador"]
    found = shares(page(client, ambassador))
    assert sorted(found) == sorted(NETWORKS)
    for network, entry in found.items():
        assert len(entry["href"]) == 2  # both items
        for href, text, link in zip(entry["href"], entry["text"], entry["link"], strict=True):
            utm = carried(link)
            assert utm == {
                "utm_source": network,
                "utm_medium": "ambassador",
                "utm_campaign": "ambassadeurs",
                "utm_content": ambassador.reference,
            }, network
            assert link.startswith("https://alumni.example.org/actualites/")
            query = parse_qs(urlsplit(href).query)
            if network == "linkedin":
                assert href.startswith("https://www.linkedin.com/sharing/share-offsite/?")
                assert query["url"] == [link]
            elif network == "facebook":
                assert href.startswith("https://www.facebook.com/sharer/sharer.php?")
                assert query["u"] == [link]
            elif network == "email":
                assert href.startswith("mailto:?")
                assert query["body"] == [text] and link in text
            else:
                prefix = {
                    "x": "https://x.com/intent/tweet?",
                    "bluesky": "https://bsky.app/intent/compose?",
                    "mastodon": "https://piaille.fr/share?",  # the server of their handle
                    "whatsapp": "https://wa.me/?",
                }[network]
                assert href.startswith(prefix), href
                assert query["text"] == [text] and link in text


@pytest.mark.parametrize("network", ["linkedin", "x", "bluesky", "mastodon", "facebook"])
def test_the_texts_are_those_the_association_posts_with_the_ambassadors_link(
    world, client, network
):
    ambassador = world["ambassador"]
    record = ExportRecord.objects.get(page_id=9001)
    posted = compose(item_from_record(record), registry.create(network))
    entry = shares(page(client, ambassador))[network]
    mine = entry["link"][0]
    assert carried(posted.link)["utm_medium"] == "social"
    assert entry["text"][0] == typed_text(posted.segments).replace(posted.link, mine)
    # LinkedIn and Facebook take the link as a card (the composer's address carries it)
    assert (mine in entry["text"][0]) == (network not in ("linkedin", "facebook"))


def test_the_mastodon_server_is_asked_and_checked(world, client):
    ambassador = world["ambassador"]
    found = shares(page(client, ambassador, "?mastodon=https://Mamot.fr/"))
    assert all(h.startswith("https://mamot.fr/share?text=") for h in found["mastodon"]["href"])
    # not a server: the one of the handle is used
    found = shares(page(client, ambassador, "?mastodon=javascript:alert(1)"))
    assert all(h.startswith("https://piaille.fr/share?") for h in found["mastodon"]["href"])
    # no handle, no server given: no link, the page asks for the server
    Ambassador.objects.filter(pk=ambassador.pk).update(mastodon="")
    response = page(client, ambassador)
    assert shares(response)["mastodon"]["href"] == ["", ""]
    assert b"data-mastodon-missing" in response.content
    assert b'name="mastodon"' in response.content


def test_the_reference_is_letters_and_the_token_unguessable(world):
    one, two = (
        world["ambassador"],
        Ambassador.objects.create(site=world["a"]["site"], name="Autre", email="autre@example.org"),
    )
    assert one.reference.isalpha() and one.reference.islower() and len(one.reference) == 8
    assert one.reference != two.reference
    assert len(one.token) >= 40 and one.token != two.token
