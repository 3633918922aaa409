"""The issue's "done when": publishing in the admin posts to the local Bluesky PDS and to the
fakes of the other networks, and the ledger shows each post with its remote link.

Everything goes through the real paths: accounts connected with the admin's connect flows
(Bluesky's app password against the reference PDS, OAuth against each network's fake), the
item created and published with the admin's form, exported, built, announced live
(``items_live``), one delivery task per account (immediate task backend), the posts read back
from the servers, and the ledger read in the admin's HTML.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from cms.publishing.models import ExportRecord
from cms.social.models import Delivery, SocialAccount
from cms.taxonomy.models import ClassYear
from tests.cms.factories import make_image
from tests.social.support import connect_through_admin, get_record, publish_through_admin

pytestmark = pytest.mark.peer

SLUG = "nomination-lea-martin"


def utm(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_publishing_in_the_admin_posts_everywhere_and_the_ledger_links_each_post(
    site_tree,
    site_output,
    content_dir,
    admin_user,
    client,
    fakes,
    providers,
    pds,
    bluesky_user,
    django_capture_on_commit_callbacks,
):
    site = site_tree["site"]
    client.force_login(admin_user)

    # -- the association connects its accounts (Paramètres → Réseaux) ------------------------
    response = connect_through_admin(
        client,
        "bluesky",
        site,
        identifier=bluesky_user["handle"],
        app_password=bluesky_user["app_password"],
        server=pds.url,
    )
    assert response.status_code == 200 and "Compte Bluesky" in response.content.decode()
    connect_through_admin(client, "mastodon", site, instance=fakes["mastodon"].url)
    for network in ("x", "linkedin", "facebook", "instagram"):
        connect_through_admin(client, network, site)
    accounts = {a.network: a for a in SocialAccount.objects.filter(site=site)}
    assert set(accounts) == {"bluesky", "mastodon", "x", "linkedin", "facebook", "instagram"}
    assert all(a.status == "ok" and a.owner == admin_user for a in accounts.values())
    assert accounts["mastodon"].network_settings == {"max_length": 500, "url_length": 23}

    # -- an editor publishes an item -----------------------------------------------------------
    ClassYear.objects.create(year=2012)
    image = make_image("Portrait")
    with django_capture_on_commit_callbacks(execute=True):
        publish_through_admin(
            client,
            site_tree["indexes"]["actualites"],
            title="Nomination de Léa Martin",
            slug=SLUG,
            summary="Léa Martin (promo 2012) prend la direction technique d'un "
            "industriel de l'énergie.",
            tags="numérique, industrie",
            hero_image=image.pk,
            hero_alt="Léa Martin devant une ligne de production",
            class_years=[ClassYear.objects.get().pk],
        )
    record = ExportRecord.objects.get(path=f"actualites/{SLUG}.md")
    assert record.first_live_at is not None
    canonical = f"{settings.RELAIS_SITE_URL}/actualites/{SLUG}/"

    deliveries = {d.network: d for d in Delivery.objects.filter(page_id=record.page_id)}
    assert set(deliveries) == set(accounts)
    for network, delivery in deliveries.items():
        assert delivery.state == "sent", (network, delivery.reason)
        assert delivery.remote_id and delivery.remote_url.startswith("https://")
        assert delivery.attempt == 1 and delivery.item_key == f"actualites/{SLUG}"

    # -- the posts are on the networks, once each ----------------------------------------------
    record_value = get_record(pds, deliveries["bluesky"].remote_id)["value"]
    assert record_value["text"] == deliveries["bluesky"].text
    assert "Nomination de Léa Martin" in record_value["text"]
    external = record_value["embed"]["external"]
    assert external["uri"].startswith(canonical)
    assert utm(external["uri"])["utm_source"] == ["bluesky"]
    assert external["thumb"]["mimeType"] == "image/jpeg"  # uploaded from the exported picture
    features = [f["features"][0] for f in record_value["facets"]]
    assert {f["tag"].casefold() for f in features if "tag" in f} >= {"numérique", "industrie"}
    text = record_value["text"].encode()
    for facet in record_value["facets"]:
        piece = text[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        feature = facet["features"][0]
        assert (
            piece == f"#{feature['tag']}"
            if "tag" in feature
            else feature["uri"].startswith(canonical)
        )
    assert deliveries["bluesky"].remote_url.endswith(
        deliveries["bluesky"].remote_id.rsplit("/", 1)[1]
    )

    for network in ("mastodon", "x", "linkedin", "facebook", "instagram"):
        fake = fakes[network]
        assert len(fake.posts) == 1, network
        link = fake.posts[0]["link"]
        assert link.startswith(canonical), (network, link)
        assert utm(link)["utm_source"] == [network]
        assert utm(link)["utm_campaign"] == ["actualites"]
        assert utm(link)["utm_content"] == [SLUG]
    assert "#Promo2012" in fakes["mastodon"].posts[0]["text"]
    assert fakes["x"].posts[0]["text"] == deliveries["x"].text
    assert fakes["linkedin"].posts[0]["body"]["author"] == fakes["linkedin"].author
    # Instagram fetched the picture the site build published
    posted = [
        r for r in fakes["instagram"].requests if r.path.endswith("/media") and r.method == "POST"
    ]
    image_url = posted[0].form["image_url"]
    assert image_url.startswith(settings.RELAIS_SITE_URL + "/")
    assert (site_output / image_url.removeprefix(settings.RELAIS_SITE_URL + "/")).is_file()

    # -- the ledger in the admin: every post, with its link ------------------------------------
    page = BeautifulSoup(client.get("/admin/social/deliveries/").content, "html.parser")
    links = {a["href"] for a in page.select("a.social-remote-link")}
    assert links == {d.remote_url for d in deliveries.values()}
    rows = page.select("tr[data-delivery]")
    assert {r["data-state"] for r in rows} == {"sent"}
    # the state once, with nothing more to say about it
    assert all(r.select_one(".social-state").get_text() == "Publié" for r in rows)
    assert not any(r.select(".social-why") for r in rows)
    filtered = BeautifulSoup(
        client.get("/admin/social/deliveries/", {"network": "x", "state": "sent"}).content,
        "html.parser",
    )
    assert [a["href"] for a in filtered.select("a.social-remote-link")] == [
        deliveries["x"].remote_url
    ]
    item_page = BeautifulSoup(
        client.get(f"/admin/social/pages/{record.page_id}/").content, "html.parser"
    )
    assert {a["href"] for a in item_page.select("a.social-remote-link")} == links
