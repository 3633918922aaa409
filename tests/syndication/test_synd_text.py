"""Hashtags, links with UTM, whole-word shortening: the text helpers of the composer."""

from __future__ import annotations

import pytest

from syndication.text import (
    clean,
    cut_points,
    first_words,
    grapheme_len,
    hashtag,
    same_item,
    segments_of,
    short_display,
    shorten,
    with_utm,
)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("intelligence artificielle", "IntelligenceArtificielle"),
        ("data", "Data"),
        ("Île-de-France", "ÎleDeFrance"),
        ("écoles d'ingénieurs", "ÉcolesDIngénieurs"),
        ("iPhone", "iPhone"),
        ("IoT", "IoT"),
        ("ﬁnance", "Finance"),  # NFKC folds the ligature
        ("ＡＢＣ", "ABC"),  # full-width letters
        ("C++", "C"),
        ("rock 🎸 & roll!", "RockRoll"),
        ("3D printing", "3DPrinting"),
        ("2012", None),  # no letter: not a hashtag on X or Mastodon
        ("🎓", None),
        ("", None),
        ("a" * 65, None),  # over Bluesky's 64 graphemes
        ("e\u0301cole", "École"),  # decomposed accent is composed
    ],
)
def test_hashtag(tag, expected):
    assert hashtag(tag) == expected


def test_with_utm_keeps_query_and_fragment_and_replaces_old_utm():
    url = "https://alumni.example.org/evenements/gala/?lang=fr&utm_source=old#programme"
    tracked = with_utm(url, source="mastodon", campaign="evenements", content="gala")
    assert tracked == (
        "https://alumni.example.org/evenements/gala/?lang=fr&utm_source=mastodon"
        "&utm_medium=social&utm_campaign=evenements&utm_content=gala#programme"
    )
    assert same_item(tracked, url)
    assert not same_item(tracked, "https://alumni.example.org/evenements/autre/")


def test_shorten_cuts_between_words_only():
    text = "Les alumni de la promotion 2012 se retrouvent"
    assert shorten(text, lambda s: len(s) <= 100) == text
    assert shorten(text, lambda s: len(s) <= 20) == "Les alumni de la…"
    assert shorten(text, lambda s: len(s) <= 3) == ""
    assert shorten("Bonjour, le monde", lambda s: len(s) <= 10) == "Bonjour…"  # no "Bonjour,…"


def test_cut_points_never_split_a_grapheme():
    # a space followed by a combining accent is one grapheme: not a place to cut
    text = "ab \u0301cd ef"
    assert cut_points(text) == [6]
    family = "👨‍👩‍👧 famille 🇫🇷 drapeau"
    for point in cut_points(family):
        assert grapheme_len(family[:point]) + grapheme_len(family[point:]) == grapheme_len(family)


def test_clean_removes_controls_and_bidi_overrides():
    assert clean("a\u202eb\x00c\u200fd  e\n f") == "abc\u200fd e f"
    assert clean("l1\n\n\n\nl2", single_line=False) == "l1\n\nl2"


def test_first_words_strips_markdown():
    body = "# Titre\n\nUn **gras** et un [lien](https://x.org) ![img](a.png) `code`.\n\n- point"
    assert first_words(body) == "Titre Un gras et un lien code. point"
    assert first_words("un deux trois quatre", 2) == "un deux…"


def test_segments_of_finds_links_and_hashtags():
    segments = segments_of("Voir https://ex.org/a?b=1. Et #Promo2012, pas C#, ni #2012")
    kinds = [(s.kind, s.text) for s in segments if s.kind != "text"]
    assert kinds == [("link", "https://ex.org/a?b=1"), ("tag", "#Promo2012")]


def test_short_display():
    assert short_display("https://alumni.example.org/p/?utm_source=x") == "alumni.example.org/p"
    long = short_display("https://alumni.example.org/parcours/" + "a" * 80)
    assert grapheme_len(long) == 40 and long.endswith("…")
