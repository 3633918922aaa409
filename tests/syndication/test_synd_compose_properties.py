"""Property tests of the composer: whatever the text, the post fits, keeps words and graphemes
whole, and its facets point at the right bytes."""

from __future__ import annotations

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from syndication.compose import compose, default_composer
from syndication.models import ImageRef, Item
from syndication.networks import registry
from syndication.testing.fakes.mastodon import mastodon_length
from syndication.text import ELLIPSIS, clean, graphemes, short_display, utf16_len

TOKENS = [
    "alumni",
    "École",
    "ingénieur·e·s",
    "promo",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "👩🏽‍💻",
    "🇫🇷",
    "🇯🇵🇰🇷",
    "e\u0301te\u0301",
    "a\u0308\u0323\u0301",
    "مرحبا",
    "שלום",
    "\u200fעברית\u200f",
    "日本語のテキスト",
    "한국어",
    "ไทย",
    "https://example.org/a?b=1&c=%20",
    "http://x.io",
    "#Promo2012",
    "#",
    "C#",
    "(parenthèses)",
    "[crochets]",
    "*gras*",
    "_souligné_",
    "x" * 320,
    "Z" * 40,
    "…",
    ",",
    ";",
    "-",
    "—",
    "«",
    "»",
    "\u202e",
    "\x00",
    "\ufeff",
    "\n",
    "\t",
    "  ",
]

words = st.one_of(
    st.sampled_from(TOKENS),
    st.text(min_size=1, max_size=12),
    st.text(alphabet=st.characters(categories=["L", "M", "N"]), min_size=1, max_size=20),
)
texts = st.lists(words, max_size=120).map(" ".join)
tags = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=30)), max_size=40)
years = st.lists(st.integers(1950, 2030).map(str), max_size=4)


def block_matches(block: str, source: str) -> bool:
    """``block`` is ``source`` or a whole-word, whole-grapheme prefix of it plus "…"."""
    if block == source:
        return True
    if not block.endswith(ELLIPSIS):
        return False
    prefix = block[: -len(ELLIPSIS)]
    if not prefix or not source.startswith(prefix):
        return False
    g_prefix, g_source = graphemes(prefix), graphemes(source)
    if g_source[: len(g_prefix)] != g_prefix:
        return False  # a grapheme was split
    rest = source[len(prefix) :]
    return bool(regex.match(r"^[,;:\-–—]*\s", rest))  # cut at a word boundary


def check_structure(
    text: str, title: str, summary: str, link_shown: str | None, hashtags: list[str]
) -> None:
    blocks = text.split("\n\n")
    parts = [("title", title), ("summary", summary), ("link", link_shown), ("tags", None)]
    i = 0
    for block in blocks:
        while i < len(parts):
            kind, source = parts[i]
            i += 1
            if kind in ("title", "summary") and source and block_matches(block, source):
                break
            if kind == "link" and source is not None and block == source:
                break
            if kind == "tags" and block and all(w.startswith("#") for w in block.split(" ")):
                assert [w[1:] for w in block.split(" ")] == hashtags[: len(block.split(" "))]
                break
        else:
            raise AssertionError(f"block {block!r} is not a whole-word part of the item")


def check_facets(post) -> None:
    raw = post.text.encode("utf-8")
    for facet in post.facets():
        piece = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
        feature = facet["features"][0]
        if feature["$type"].endswith("#tag"):
            assert piece == "#" + feature["tag"]
            assert len(graphemes(feature["tag"])) <= 64
        else:
            assert piece in (feature["uri"], short_display(feature["uri"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(list(registry)),
    title=texts.filter(lambda t: clean(t) != ""),
    summary=texts,
    tag_list=tags,
    class_years=years,
)
def test_posts_fit_and_keep_words_graphemes_and_facets(name, title, summary, tag_list, class_years):
    network = registry.create(name)
    item = Item(
        title=title,
        url="https://alumni.example.org/vie-ecole/un-article/?ref=home",
        section="vie-ecole",
        slug="un-article",
        summary=summary,
        tags=tag_list,
        class_years=class_years,
        image=ImageRef(url="https://alumni.example.org/i.jpg", alt="x"),
    )
    post = compose(item, network)
    text = post.text
    assert post.length <= post.limit
    if name == "x":
        parsed = parse_tweet(text)
        assert parsed.valid and parsed.weightedLength <= 280
    elif name == "bluesky":
        assert len(graphemes(text)) <= 300 and len(text.encode("utf-8")) <= 3000
        check_facets(post)
    elif name == "mastodon":
        assert mastodon_length(text) <= 500
    elif name == "linkedin":
        assert (
            utf16_len(network.request_body(post, {"author": "urn:li:person:1"})["commentary"])
            <= 3000
        )
    elif name == "instagram":
        assert utf16_len(text) <= 2200 and len(post.hashtags) <= 30
    link_seg = network.link_segment(post.link)
    expected_tags = default_composer.item_hashtags(item)[: network.max_hashtags]
    check_structure(
        text, clean(title), clean(summary), link_seg.text if link_seg else None, expected_tags
    )
    if link_seg is not None:
        assert link_seg.text in text  # the link is never dropped


@settings(max_examples=100, deadline=None)
@given(override=texts.filter(lambda t: clean(t, single_line=False) != ""))
def test_bluesky_override_facets_point_at_the_right_bytes(override):
    network = registry.create("bluesky")
    item = Item(
        title="t",
        url="https://alumni.example.org/association/ag/",
        section="association",
        slug="ag",
    )
    try:
        post = compose(item, network, override=override)
    except Exception as exc:  # too long is the only acceptable refusal
        assert type(exc).__name__ == "OverrideTooLong"
        return
    assert len(graphemes(post.text)) <= 300 and len(post.text.encode()) <= 3000
    check_facets(post)
