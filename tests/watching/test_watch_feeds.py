"""Feeds read with feedparser: dates normalised (and flagged when they had to be replaced),
links normalised, the same story recognised across sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from relais.watching.entries import Entry, Story, StoryIndex
from relais.watching.feeds import looks_like_feed, parse_feed
from relais.watching.links import normalise_link, story_key, title_key
from tests.watching.conftest import NOW, fixture_bytes


def feed(name: str, url: str, **kwargs):
    return parse_feed(fixture_bytes("feeds", name), url=url, fetched_at=NOW, **kwargs)


def test_rss_entries_with_dates_links_and_plain_text():
    parsed = feed(
        "presse.rss", "https://presse.example/flux.rss", content_type="application/rss+xml"
    )
    assert parsed.title == "Industrie & Technologies — Actualités" and not parsed.loose
    first, second, third, fourth = parsed.entries
    assert first.link == "https://presse.example/articles/enilc-master-chimie-verte"
    assert first.key == "presse.example/articles/enilc-master-chimie-verte"
    assert first.published == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)  # +0100 → UTC
    assert first.date_status == "ok" and first.author == "Claire Moreau"
    assert first.summary == "La rentrée 2027 verra un nouveau master."  # no tags, no script
    # a relative link is resolved against the feed's address
    assert second.link == "https://presse.example/articles/salon-plasturgie"
    # dates that cannot be believed: the fetch time, flagged, what was written kept
    assert (second.published, second.date_status) == (NOW, "malformed")
    assert second.raw_date == "lundi 2 novembre 2026, vers midi"
    assert (third.published, third.date_status) == (NOW, "missing")
    assert (fourth.published, fourth.date_status) == (NOW, "future")
    assert [e.date_flagged for e in parsed.entries] == [False, True, True, True]


def test_atom_dates_are_timezone_aware_and_xml_base_resolves_links():
    parsed = feed("federation.atom", "https://federation.example/atom.xml")
    dates = [e.published for e in parsed.entries]
    assert all(d.tzinfo is not None for d in dates)
    assert dates[0] == datetime(2026, 11, 4, 7, 0, tzinfo=UTC)
    assert parsed.entries[2].link == "https://federation.example/nouvelles/ag-2026"


def test_an_rss_091_feed_with_its_netscape_dtd_is_read_without_fetching_it():
    parsed = feed("netscape091.rss", "https://vieux.example/rss")
    assert [e.title for e in parsed.entries] == ["Rencontre des promotions"]


def test_entries_beyond_the_limit_are_left_out_and_said_so():
    parsed = feed("presse.rss", "https://presse.example/flux.rss", max_entries=2)
    assert len(parsed.entries) == 2 and parsed.truncated


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        (
            "HTTPS://WWW.Presse.Example:443/a/b/?utm_source=x&b=2&a=1&fbclid=z#haut",
            "https://www.presse.example/a/b?a=1&b=2",
        ),
        ("http://presse.example", "http://presse.example/"),
        ("http://presse.example:80/a/", "http://presse.example/a"),
        (
            "http://presse.example:8080/%7esoi/caf%c3%a9/",
            "http://presse.example:8080/~soi/caf%C3%A9",
        ),
        ("https://presse.example/été", "https://presse.example/%C3%A9t%C3%A9"),
        ("https://presse.example/a?ref=12&xtor=RSS-3&gclid=1", "https://presse.example/a?ref=12"),
        ("https://presse.example/a?q=un+deux&id=5", "https://presse.example/a?id=5&q=un%20deux"),
        ("https://école.example/", "https://xn--cole-9oa.example/"),
        ("javascript:alert(1)", None),
        ("mailto:a@b.example", None),
        ("https:///sans-hote", None),
    ],
)
def test_links_are_normalised(written, normalised):
    assert normalise_link(written) == normalised


def test_the_story_key_ignores_the_scheme_and_www():
    keys = {
        story_key(normalise_link(u))
        for u in (
            "http://www.presse.example/a/",
            "https://presse.example/a?utm_medium=social",
            "https://presse.example:443/a#commentaires",
        )
    }
    assert keys == {"presse.example/a"}
    assert story_key(normalise_link("https://presse.example/a?ref=1")) != story_key(
        normalise_link("https://presse.example/a?ref=2")
    )


def entry(key: str, title: str, day: int) -> Entry:
    return Entry(key=key, link=f"https://{key}", title=title, published=NOW + timedelta(days=day))


def test_the_same_story_by_link_or_by_title_within_days():
    index = StoryIndex(window=timedelta(days=3))
    first = index.mark(entry("presse.example/enilc", "L'ENILC ouvre un master en chimie verte", 0))
    assert first.duplicate_of is None
    same_link = index.mark(entry("presse.example/enilc", "Autre titre", 5))
    assert same_link.duplicate_of == "presse.example/enilc"
    same_title = index.mark(entry("fede.example/x", "L’ENILC ouvre un master en chimie VERTE !", 2))
    assert same_title.duplicate_of == "presse.example/enilc"
    too_late = index.mark(entry("blog.example/y", "L'ENILC ouvre un master en chimie verte", 9))
    assert too_late.duplicate_of is None
    # a short title is not specific enough to call two articles one
    index.mark(entry("a.example/edito", "Éditorial", 0))
    assert index.mark(entry("b.example/edito", "Editorial", 0)).duplicate_of is None


def test_known_stories_seed_the_index():
    index = StoryIndex([Story("presse.example/enilc", "Un titre assez long pour compter", NOW)])
    assert index.match(entry("presse.example/enilc", "x", 30)) == "presse.example/enilc"
    assert title_key("  L’École «Centrale» : 3 DIPLÔMÉS ! ") == "l ecole centrale 3 diplomes"


def test_what_looks_like_a_feed():
    assert looks_like_feed(fixture_bytes("feeds", "presse.rss"))
    assert looks_like_feed(fixture_bytes("feeds", "federation.atom"))
    assert looks_like_feed(b"{}", "application/atom+xml")
    assert not looks_like_feed(fixture_bytes("pages", "ecole-actualites.html"))
