"""A real Pelican build of a small site: pages, feeds, calendars, structured data, atomicity."""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar
from PIL import Image

from relais.buildconfig import BuildError
from tests.support import GOLDEN_SITE_URL, write_item


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def site(golden_content, build, site_paths):
    build()
    return site_paths.output


def test_every_kind_of_page_is_generated(site):
    expected = [
        "index.html",
        "404.html",
        "sitemap.xml",
        "sitemaps/listings.xml",
        "tags/index.html",
        "actualites/index.html",
        "actualites/prix-jeune-ingenieure/index.html",
        "evenements/index.html",
        "evenements/afterwork-promo-2015/index.html",
        "evenements/afterwork-promo-2015/evenement.ics",
        "evenements/agenda.ics",
        "parcours/de-stagiaire-a-cto/index.html",
        "mentions-legales/index.html",
        "tags/hydrogene/index.html",
        "promotions/2012/index.html",
        "groupes/groupe-rhone-alpes/index.html",
        "contributeurs/claire-moreau/index.html",
        "feeds/all.atom.xml",
        "feeds/all.rss.xml",
        "feeds/actualites.atom.xml",
        "feeds/actualites.rss.xml",
        "feeds/tags/hydrogene.atom.xml",
        "feeds/promotions/2012.atom.xml",
        "feeds/promotions/2012.rss.xml",
        "actualites/prix-jeune-ingenieure/hero.jpg",
        "actualites/prix-jeune-ingenieure/social-1200x630.jpg",
        "theme/css/site.css",
    ]
    missing = [p for p in expected if not (site / p).exists()]
    assert missing == []


def test_every_page_names_a_favicon_that_the_site_holds(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        icon = soup(path).find("link", rel="icon")
        assert icon is not None, f"{path.relative_to(site)} has no favicon"
        assert icon["href"].startswith(f"{GOLDEN_SITE_URL}/")
        target = site / icon["href"].removeprefix(f"{GOLDEN_SITE_URL}/")
        assert target.is_file(), f"{icon['href']} is not in the built site"
        assert "<svg" in target.read_text(encoding="utf-8")


def test_home_shows_latest_items_and_only_upcoming_events(site):
    page = soup(site / "index.html")
    upcoming = page.select_one("section.upcoming")
    assert "Afterwork #promo2015 à Lyon" in upcoming.get_text()
    assert "Gala annuel 2026" not in upcoming.get_text()  # it took place in June
    titles = [a.get_text() for a in page.select(".card-title a")]
    assert titles[0] == "Afterwork #promo2015 à Lyon"  # newest first
    assert "Prix de la jeune ingénieure : « Camille » récompensée" in titles


def test_article_page_has_canonical_open_graph_twitter_jsonld_and_join_link(site):
    page = soup(site / "actualites/prix-jeune-ingenieure/index.html")
    url = f"{GOLDEN_SITE_URL}/actualites/prix-jeune-ingenieure/"
    assert page.find("link", rel="canonical")["href"] == url
    og = {m["property"]: m["content"] for m in page.find_all("meta", property=True)}
    assert og["og:url"] == url
    assert og["og:title"] == "Prix de la jeune ingénieure : « Camille » récompensée"
    social = f"{GOLDEN_SITE_URL}/actualites/prix-jeune-ingenieure/social-1200x630.jpg"
    assert og["og:image"] == social
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
    assert og["og:image:alt"] == "Camille Petit sur scène, tenant son trophée"
    tw = {m["name"]: m["content"] for m in page.find_all("meta", attrs={"name": True})}
    assert tw["twitter:card"] == "summary_large_image"
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "Article" and data["url"] == url
    assert data["headline"].startswith("Prix de la jeune ingénieure")
    assert data["author"] == [{"@type": "Person", "name": "Claire Moreau"}]
    join = page.select_one("aside.join a.cta")
    assert join.get_text() == "Adhérer / Join"
    assert join["href"] == (
        "https://cms.alumni.example.org/adherer/?item=actualites%2Fprix-jeune-ingenieure"
    )
    with Image.open(site / "actualites/prix-jeune-ingenieure/social-1200x630.jpg") as img:
        assert img.size == (1200, 630)


def test_article_body_is_rendered_and_sanitised(site):
    html = (site / "actualites/prix-jeune-ingenieure/index.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    prose = page.select_one(".prose")
    assert prose.h2.get_text() == "Un prix national"
    assert prose.blockquote is not None
    # the relative picture link resolves to the copied file
    assert prose.img["src"] == f"{GOLDEN_SITE_URL}/actualites/prix-jeune-ingenieure/hero.jpg"
    assert "<script>alert" not in html
    assert page.select_one("main").find("script") is None


def test_page_is_accessible_by_structure(site):
    page = soup(site / "parcours/de-stagiaire-a-cto/index.html")
    assert page.html["lang"] == "fr"
    assert page.select_one("a.skip-link")["href"] == "#contenu"
    assert page.find("header", role="banner") and page.find("footer", role="contentinfo")
    assert page.find("main", id="contenu") and page.find("nav", attrs={"aria-label": True})
    assert len(page.find_all("h1")) == 1
    assert all(img.has_attr("alt") for img in page.find_all("img"))
    assert page.select_one(".career-box").get_text(" ", strip=True).count("Léa Martin") == 1


def test_feeds_are_valid_with_full_content_and_images(site):
    feed = feedparser.parse((site / "feeds/all.atom.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert 'De stagiaire à CTO en dix ans — "sans plan de carrière"' in titles
    prize = next(e for e in feed.entries if "prix" in e.link)
    assert "banc d'essai" in prize.content[0].value  # full content
    assert prize.enclosures[0].href.endswith("/prix-jeune-ingenieure/hero.jpg")
    assert prize.summary.startswith("Camille Petit (promo 2019) reçoit le prix")
    rss = feedparser.parse((site / "feeds/all.rss.xml").read_bytes())
    assert not rss.bozo, rss.bozo_exception
    assert len(rss.entries) == 4
    for name in (
        "feeds/actualites.atom.xml",
        "feeds/tags/hydrogene.atom.xml",
        "feeds/promotions/2012.rss.xml",
        "feeds/groupes/groupe-rhone-alpes.atom.xml",
    ):
        parsed = feedparser.parse((site / name).read_bytes())
        assert not parsed.bozo, (name, parsed.bozo_exception)
        assert parsed.entries, name
    tag_feed = feedparser.parse((site / "feeds/tags/hydrogene.atom.xml").read_bytes())
    assert {e.link.split("/")[-2] for e in tag_feed.entries} == {
        "prix-jeune-ingenieure",
        "de-stagiaire-a-cto",
    }


def test_event_calendar_files(site):
    cal = Calendar.from_ical((site / "evenements/afterwork-promo-2015/evenement.ics").read_bytes())
    event = next(c for c in cal.walk("VEVENT"))
    assert str(event["summary"]) == "Afterwork #promo2015 à Lyon"
    assert event.decoded("dtstart").isoformat() == "2026-12-12T19:00:00+01:00"
    assert str(event["location"]) == "Le Sucre, 50 quai Rambaud, Lyon"
    agenda = Calendar.from_ical((site / "evenements/agenda.ics").read_bytes())
    assert len(list(agenda.walk("VEVENT"))) == 2
    page = soup(site / "evenements/afterwork-promo-2015/index.html")
    assert page.find("a", href=f"{GOLDEN_SITE_URL}/evenements/afterwork-promo-2015/evenement.ics")


def test_sitemap_index_and_shards(site):
    index = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert index.startswith('<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex')
    assert (
        f"<sitemap><loc>{GOLDEN_SITE_URL}/sitemaps/parcours-2026.xml</loc>"
        "<lastmod>2026-10-15T12:00:00+02:00</lastmod></sitemap>"
    ) in index
    shard = (site / "sitemaps/parcours-2026.xml").read_text(encoding="utf-8")
    assert (
        f"<url><loc>{GOLDEN_SITE_URL}/parcours/de-stagiaire-a-cto/</loc>"
        "<lastmod>2026-10-15T12:00:00+02:00</lastmod></url>"
    ) in shard
    listings = (site / "sitemaps/listings.xml").read_text(encoding="utf-8")
    for path in ("", "actualites/", "tags/hydrogene/", "promotions/2012/", "mentions-legales/"):
        assert f"<loc>{GOLDEN_SITE_URL}/{path}</loc>" in listings
    assert (site / "robots.txt").read_text() == (
        f"User-agent: *\nAllow: /\n\nSitemap: {GOLDEN_SITE_URL}/sitemap.xml\n"
    )


def test_listings_show_the_newest_then_archives_by_year_in_chronological_pages(site_paths, build):
    # 30 items in 2026 (Item 00 on January 1st … Item 29 on January 30) and 3 in 2025
    for i in range(30):
        write_item(
            site_paths.content,
            "vie-ecole",
            f"item-{i:02d}",
            f"title: Item {i:02d}\ndate: 2026-01-{i + 1:02d} 10:00",
        )
    for i in range(3):
        write_item(
            site_paths.content,
            "vie-ecole",
            f"old-{i}",
            f"title: Ancien {i}\ndate: 2025-06-0{i + 1} 10:00",
        )
    build()
    out = site_paths.output

    def titles(path):
        return [a.get_text() for a in soup(out / path).select(".card-title a")]

    front = titles("vie-ecole/index.html")
    assert front == [f"Item {i:02d}" for i in (29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18)]
    front_page = soup(out / "vie-ecole/index.html")
    assert [a.get_text() for a in front_page.select("nav.archives a")] == ["2026", "2025"]
    assert titles("vie-ecole/archives/2025/index.html") == ["Ancien 0", "Ancien 1", "Ancien 2"]
    assert titles("vie-ecole/archives/2026/index.html") == [f"Item {i:02d}" for i in range(12)]
    assert titles("vie-ecole/archives/2026/2/index.html") == [
        f"Item {i:02d}" for i in range(12, 24)
    ]
    assert titles("vie-ecole/archives/2026/3/index.html") == [
        f"Item {i:02d}" for i in range(24, 30)
    ]
    assert not (out / "vie-ecole/archives/2026/4").exists()
    page2 = soup(out / "vie-ecole/archives/2026/2/index.html")
    assert page2.select_one('a[rel="prev"]')["href"].endswith("/vie-ecole/archives/2026/")
    assert page2.select_one('a[rel="next"]')["href"].endswith("/vie-ecole/archives/2026/3/")
    last_of_2025 = soup(out / "vie-ecole/archives/2025/index.html")
    assert last_of_2025.select_one('a[rel="next"]')["href"].endswith("/vie-ecole/archives/2026/")
    # archive pages link their neighbours and the front page, which lists the years
    assert page2.select("nav.archives") == []
    assert page2.select_one(".archives-home a")["href"].endswith("/vie-ecole/")
    home = soup(out / "index.html")
    assert len(home.select(".card")) == 12
    assert [a.get_text() for a in home.select("nav.archives a")] == ["2026", "2025"]
    assert (out / "archives/2026/3/index.html").exists()


def test_broken_content_fails_the_build_and_leaves_the_live_site(golden_content, build, site_paths):
    first = build()
    live = os.readlink(site_paths.output)
    write_item(site_paths.content, "actualites", "casse", "title: a: b\ndate: 2026-01-01")
    with pytest.raises(BuildError) as err:
        build()
    assert "actualites/casse.md" in str(err.value)
    assert "not valid YAML" in str(err.value)
    assert "live site is unchanged" in str(err.value)
    assert os.readlink(site_paths.output) == live
    assert (first.output_dir / "index.html").exists()
    # only the live tree and its standby twin remain, no half-written build
    assert sorted(p.name for p in site_paths.builds.iterdir() if p.is_dir()) == [
        first.output_dir.name,
        first.output_dir.name + "-b",
    ]


def test_missing_image_fails_with_the_field(golden_content, build, site_paths):
    write_item(
        site_paths.content,
        "actualites",
        "sans-image",
        "title: x\ndate: 2026-01-01\nimage: sans-image/absente.jpg\nimage_alt: rien",
    )
    with pytest.raises(
        BuildError,
        match=r"sans-image.md: field 'image': file "
        r"actualites/sans-image/absente.jpg not found",
    ):
        build()


def test_rebuild_switches_atomically_and_prunes_old_builds(golden_content, build, site_paths):
    outputs = [build().output_dir for _ in range(5)]
    assert site_paths.output.resolve() == outputs[-1]
    remaining = sorted(p.name for p in site_paths.builds.iterdir() if p.is_dir())
    assert remaining == [outputs[-1].name, outputs[-1].name + "-b"]


def test_hand_written_item_without_optional_fields_builds(site_paths, build):
    write_item(
        site_paths.content,
        "association",
        "ag-2026",
        "title: Assemblée générale 2026\ndate: 2026-06-01",
        "Compte rendu **complet**.",
    )
    build()
    page = soup(site_paths.output / "association/ag-2026/index.html")
    assert page.h1.get_text() == "Assemblée générale 2026"
    assert page.select_one(".prose strong").get_text() == "complet"
    assert page.find("meta", property="og:image") is None


def test_items_in_english_keep_the_same_addresses(site_paths, build):
    write_item(
        site_paths.content,
        "actualites",
        "alumni-award",
        "title: Alumni award\ndate: 2026-03-01\nlang: en",
        "In English.",
    )
    write_item(
        site_paths.content,
        "actualites",
        "prix-alumni",
        "title: Prix des alumni\ndate: 2026-03-02",
        "En français.",
    )
    build()
    page = soup(site_paths.output / "actualites/alumni-award/index.html")
    assert page.select_one("article.article")["lang"] == "en"
    assert (site_paths.output / "actualites/prix-alumni/index.html").exists()
