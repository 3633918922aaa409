"""Adding a source by its site's address finds its feeds, else watches the page."""

from __future__ import annotations

import pytest

from relais.watching.discovery import discover, feed_links, with_scheme
from relais.watching.errors import WatchError
from tests.watching.conftest import NOW, fixture_bytes

HTML = "text/html; charset=utf-8"


def test_a_site_address_finds_the_feed_its_page_announces(site, fetcher):
    site.route("/", status=301, headers={"Location": "/actualites/"}, content_type="text/plain")
    site.route(
        "/actualites/", body=fixture_bytes("pages", "ecole-actualites.html"), content_type=HTML
    )
    site.route("/actualites/flux.rss", body=fixture_bytes("feeds", "presse.rss"))
    found = discover(site.url("/"), fetcher, now=NOW)
    assert (found.kind, found.url) == ("feed", site.url("/actualites/flux.rss"))
    assert found.title == "Industrie & Technologies — Actualités"
    # both announced feeds, relative to <base href>, in the page's order
    assert [(f.url, f.title, f.type) for f in found.feeds] == [
        (site.url("/actualites/flux.rss"), "Actualités de l'école", "application/rss+xml"),
        ("https://mines-nord.example/agenda.atom", "Agenda", "application/atom+xml"),
    ]


def test_the_address_of_a_feed_is_the_feed(site, fetcher):
    url = site.route(
        "/atom", body=fixture_bytes("feeds", "federation.atom"), content_type="text/xml"
    )
    found = discover(url, fetcher, now=NOW)
    assert (found.kind, found.url, found.title) == ("feed", url, "Fédération des anciens")


def test_a_page_without_feed_is_watched_as_a_page(site, fetcher):
    url = site.route(
        "/classement", body=fixture_bytes("pages", "classement.html"), content_type=HTML
    )
    found = discover(url, fetcher, now=NOW)
    assert (found.kind, found.url, found.title) == ("page", url, "Classement des écoles 2027")
    assert found.feeds == ()


def test_announced_feeds_that_cannot_be_read_are_skipped_with_their_reason(site, fetcher):
    page = (
        '<html><head><link rel="alternate" type="application/atom+xml" href="/gone.atom">'
        '<link rel="alternate" type="application/rss+xml" href="/not-a-feed">'
        "</head><body><p>Bonjour</p></body></html>"
    )
    url = site.route("/", body=page.encode(), content_type=HTML)
    site.route("/not-a-feed", body=b"<html><body>non</body></html>", content_type=HTML)
    found = discover(url, fetcher, now=NOW)
    assert (found.kind, found.url) == ("page", url)
    assert [reason.split(" ")[:4] for _, reason in found.tried] == [
        ["le", "serveur", "répond", "«"],
        ["ce", "document", "n'est", "ni"],
    ]
    site.route("/gone.atom", body=fixture_bytes("feeds", "federation.atom"))
    assert discover(url, fetcher, now=NOW).url == site.url("/gone.atom")


def test_a_hostile_answer_is_refused(site, fetcher):
    url = site.route("/rss", body=fixture_bytes("hostile", "billion-laughs.xml"))
    with pytest.raises(WatchError, match="entités XML"):
        discover(url, fetcher, now=NOW)


def test_feed_links_and_addresses_typed_without_scheme():
    html = (
        '<link rel="Alternate" type="application/RSS+XML" href="/a.rss">'
        '<link rel="alternate" type="application/rss+xml" href="/a.rss?utm_source=x">'
        '<link rel="alternate stylesheet" type="text/css" href="/s.css">'
        '<link rel="alternate" type="application/atom+xml" href="">'
    )
    assert [f.url for f in feed_links(html, "https://site.example/x/")] == [
        "https://site.example/a.rss"
    ]
    assert with_scheme("www.ecole.example") == "https://www.ecole.example"
    assert with_scheme(" http://ecole.example ") == "http://ecole.example"
