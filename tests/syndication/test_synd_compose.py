"""The excerpt composer: each network's post within its limits, overrides, cards, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from twitter_text import parse_tweet

from syndication.compose import Composer, compose
from syndication.errors import ComposeError, NotSyndicable, OverrideTooLong
from syndication.models import ImageRef, Item
from syndication.networks import registry
from syndication.networks.linkedin import LinkedIn
from syndication.text import grapheme_len, utf16_len

REPO_ROOT = Path(__file__).resolve().parents[2]
URL = "https://alumni.example.org/parcours/de-stagiaire-a-cto/"


def item(**changes) -> Item:
    data = {
        "title": "Carrière : de stagiaire à CTO",
        "url": URL,
        "section": "parcours",
        "slug": "de-stagiaire-a-cto",
        "summary": "Comment Léa (promo 2012) a construit la plateforme de données d'un industriel.",
        "tags": ["data", "intelligence artificielle"],
        "class_years": ["2012"],
        "image": ImageRef(path="hero.jpg", url="https://alumni.example.org/hero.jpg", alt="Léa"),
    }
    data.update(changes)
    return Item(**data)


def utm(network: str) -> str:
    return (
        f"{URL}?utm_source={network}&utm_medium=social&utm_campaign=parcours"
        "&utm_content=de-stagiaire-a-cto"
    )


def test_registry_has_the_six_networks_and_their_limits():
    assert list(registry) == ["bluesky", "facebook", "instagram", "linkedin", "mastodon", "x"]
    limits = {name: cls.max_length for name, cls in registry.items()}
    assert limits == {
        "bluesky": 300,
        "facebook": 63206,
        "instagram": 2200,
        "linkedin": 3000,
        "mastodon": 500,
        "x": 280,
    }
    assert registry["bluesky"].max_bytes == 3000
    assert registry["instagram"].hashtag_limit == 30 and registry["instagram"].requires_image
    assert registry["x"].url_length == registry["mastodon"].url_length == 23
    assert "youtube" not in registry
    with pytest.raises(KeyError, match="use one of bluesky"):
        registry.get_or_error("youtube")


@pytest.mark.parametrize("name", ["bluesky", "facebook", "instagram", "linkedin", "mastodon", "x"])
def test_short_item_goes_out_whole_with_utm_link(name):
    network = registry.create(name)
    post = compose(item(), network)
    assert post.link == utm(name)
    assert post.text.startswith("Carrière : de stagiaire à CTO\n\nComment Léa")
    assert "#Data #IntelligenceArtificielle" in post.text
    assert post.length <= post.limit
    body = json.dumps(network.request_body(post))
    assert f"utm_source={name}" in body


def test_x_post_is_counted_the_x_way():
    post = compose(item(summary="Mot " * 100), registry.create("x"))
    parsed = parse_tweet(post.text)
    assert parsed.valid and parsed.weightedLength == post.length <= 280
    assert utm("x") in post.text
    assert "Mot…" in post.text  # the summary was shortened at a word boundary


def test_mastodon_uses_the_server_limit():
    long = item(summary="Un long résumé. " * 60)
    small = compose(long, registry.create("mastodon"))
    large = compose(long, registry.create("mastodon", max_length=1000))
    assert small.length <= 500 < large.length <= 1000
    # the link counts 23 whatever its length
    assert len(small.link) > 100


def test_bluesky_link_facet_card_and_bytes():
    post = compose(item(), registry.create("bluesky"))
    shown = "alumni.example.org/parcours/de-stagiair…"  # 40 graphemes, the facet has the URL
    assert shown in post.text
    facets = post.facets()
    raw = post.text.encode()
    link = [f for f in facets if f["features"][0]["$type"].endswith("#link")]
    assert len(link) == 1 and link[0]["features"][0]["uri"] == utm("bluesky")
    assert raw[link[0]["index"]["byteStart"] : link[0]["index"]["byteEnd"]].decode() == shown
    tags = {f["features"][0]["tag"] for f in facets if f["features"][0]["$type"].endswith("#tag")}
    assert tags == {"Data", "IntelligenceArtificielle", "Promo2012"}
    body = registry.create("bluesky").request_body(post)
    external = body["record"]["embed"]["external"]
    assert (
        external["uri"] == utm("bluesky") and external["title"] == "Carrière : de stagiaire à CTO"
    )
    assert external["thumb"] == {"pending_upload": "hero.jpg"}
    assert body["repo"] == "<account DID>"


def test_bluesky_emoji_heavy_text_respects_3000_bytes():
    flags = "🏳️‍🌈" * 400  # 400 graphemes of 14 bytes each
    post = compose(item(title=flags, summary=flags, tags=[]), registry.create("bluesky"))
    assert grapheme_len(post.text) <= 300 and len(post.text.encode()) <= 3000


def test_linkedin_escapes_little_text_and_writes_hashtag_templates():
    network = LinkedIn()
    post = compose(item(summary="Léa (promo 2012) *adore* les [crochets] et C# @home"), network)
    commentary = network.request_body(post, {"author": "urn:li:organization:1"})["commentary"]
    assert "Léa \\(promo 2012\\) \\*adore\\* les \\[crochets\\] et C\\# \\@home" in commentary
    assert "{hashtag|\\#|Data} {hashtag|\\#|IntelligenceArtificielle}" in commentary
    body = network.request_body(post, {"author": "urn:li:organization:1"})
    assert body["content"]["article"]["source"] == utm("linkedin")
    assert utf16_len(commentary) == post.length


def test_instagram_needs_an_image_and_shows_the_url():
    with pytest.raises(NotSyndicable, match="no image"):
        compose(item(image=None), registry.create("instagram"))
    post = compose(item(), registry.create("instagram"))
    assert utm("instagram") in post.text
    body = registry.create("instagram").request_body(post)
    assert body == {
        "image_url": "https://alumni.example.org/hero.jpg",
        "caption": post.text,
        "alt_text": "Léa",
    }


def test_instagram_thirty_hashtags_at_most():
    tags = [f"sujet{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(40)]
    post = compose(item(tags=tags), registry.create("instagram"))
    assert len(post.hashtags) == 30
    with pytest.raises(OverrideTooLong, match="31 hashtags"):
        compose(item(), registry.create("instagram"), override=" ".join(f"#{t}" for t in tags[:31]))


def test_summary_falls_back_to_the_first_words_of_the_body():
    post = compose(
        item(summary="", body="## Intro\n\nLe **corps** de l'article."), registry.create("x")
    )
    assert "Intro Le corps de l'article." in post.text


def test_composer_hooks_may_be_attributes_or_methods():
    class Custom(Composer):
        class_year_hashtag = "Promotion{year}"
        item_title = "Titre fixe"

        def item_summary(self):
            return "Résumé sans argument"

        def item_hashtags(self, item, network):
            return [f"Pour{network.label}"]

    post = Custom().compose(item(), registry.create("mastodon"))
    assert post.text.startswith("Titre fixe\n\nRésumé sans argument\n\n")
    assert post.hashtags == ["PourMastodon"]


def test_override_gets_the_link_and_is_checked():
    x = registry.create("x")
    post = compose(item(), x, override="Notre portrait du mois ! #Data")
    assert post.override and post.text == f"Notre portrait du mois ! #Data\n\n{utm('x')}"
    # the editor's own copy of the canonical URL is replaced by the tracked one
    post = compose(item(), x, override=f"Lisez {URL} aujourd'hui")
    assert post.text == f"Lisez {utm('x')} aujourd'hui"
    with pytest.raises(OverrideTooLong, match=r"limit is 280: shorten it by \d+") as info:
        compose(item(), x, override="trop long " * 30)
    assert info.value.length > 280 and info.value.limit == 280
    # Bluesky: hashtags and links typed by the editor become facets
    post = compose(
        item(), registry.create("bluesky"), override="Bravo Léa 🎉 #Promo2012 https://ex.org"
    )
    kinds = [f["features"][0]["$type"].rsplit("#", 1)[1] for f in post.facets()]
    assert kinds == ["tag", "link", "link"]


def test_an_item_first_published_elsewhere_links_its_own_page():
    """An adopted pooled item names the original as canonical (for search engines), but its
    posts bring readers to this site's own page, where this site's sign-up link is."""
    from relais.contentfile import ContentItem

    content = ContentItem(
        title="Forum de l'emploi",
        date=dt.datetime(2027, 3, 1, 9, 0),
        slug="forum-emploi",
        section="actualites",
        canonical_url="https://federation.example.org/actualites/forum-emploi/",
    )
    own = Item.from_content_item(content, site_url="https://nantes.example.org/")
    assert own.url == "https://nantes.example.org/actualites/forum-emploi/"
    # without the site's address, the canonical address is all there is
    assert Item.from_content_item(content).url == content.canonical_url


def test_item_without_url_is_an_error():
    with pytest.raises(ComposeError, match="no canonical URL"):
        compose(item(url=""), registry.create("x"))


# -- the CLI -----------------------------------------------------------------------------------

FILE = """---
title: 'Carrière : de stagiaire à CTO'
date: 2026-11-20 10:00:00+01:00
summary: Comment Léa (promo 2012) a construit la plateforme de données d'un industriel.
tags: [data, intelligence artificielle]
class_years: ['2012']
image: de-stagiaire-a-cto/hero.jpg
image_alt: Léa Martin devant une ligne de production
---
Le corps en **Markdown**.
"""


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "syndication", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def content_file(tmp_path: Path) -> Path:
    path = tmp_path / "content" / "parcours" / "de-stagiaire-a-cto.md"
    path.parent.mkdir(parents=True)
    path.write_text(FILE, encoding="utf-8")
    return path


def test_cli_json_gives_the_request_body_of_each_network(content_file: Path):
    result = run_cli(
        "compose", str(content_file), "--site-url", "https://alumni.example.org", "--json"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["network"] for line in lines] == list(registry)
    by_name = {line["network"]: line for line in lines}
    record = by_name["bluesky"]["body"]["record"]
    thumb = record["embed"]["external"]["thumb"]
    assert thumb == {"pending_upload": str(content_file.parent / "de-stagiaire-a-cto/hero.jpg")}
    text = record["text"].encode()
    for facet in record["facets"]:
        piece = text[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        feature = facet["features"][0]
        assert (
            piece == f"#{feature['tag']}"
            if "tag" in feature
            else piece.startswith("alumni.example.org")
        )
    assert by_name["x"]["body"] == {"text": by_name["x"]["body"]["text"]}
    assert utm("x") in by_name["x"]["body"]["text"]
    assert (
        by_name["instagram"]["body"]["image_url"]
        == "https://alumni.example.org/parcours/de-stagiaire-a-cto/hero.jpg"
    )
    assert by_name["linkedin"]["body"]["content"]["article"]["source"] == utm("linkedin")


def test_cli_text_for_one_network_and_errors(content_file: Path, tmp_path: Path):
    result = run_cli(
        "compose",
        str(content_file),
        "--network",
        "mastodon",
        "--site-url",
        "https://alumni.example.org",
    )
    assert result.returncode == 0
    assert result.stdout.startswith("== Mastodon (")
    assert utm("mastodon") in result.stdout

    result = run_cli("compose", str(content_file))  # no canonical_url, no --site-url
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--site-url" in result.stderr

    bad = tmp_path / "content" / "parcours" / "bad.md"
    bad.write_text("---\ntitle: x\ndate: demain\n---\n", encoding="utf-8")
    result = run_cli("compose", str(bad), "--site-url", "https://a.org")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr and "field 'date'" in result.stderr

    no_image = content_file.with_name("sans-image.md")
    no_image.write_text(
        "\n".join(line for line in FILE.split("\n") if not line.startswith("image")),
        encoding="utf-8",
    )
    result = run_cli(
        "compose", str(no_image), "--network", "instagram", "--json", "--site-url", "https://a.org"
    )
    assert result.returncode == 0
    assert "no image" in json.loads(result.stdout)["skipped"]


def test_item_images_are_relative_to_the_content_file(content_file: Path):
    """A content file's image is next to the file (``content/<section>/<slug>/...``) and the
    site build publishes it at the same place under the site's address; Instagram fetches that
    URL and Bluesky uploads that file."""
    from relais.contentfile import load_file

    picture = content_file.parent / "de-stagiaire-a-cto" / "hero.jpg"
    picture.parent.mkdir()
    picture.write_bytes(b"jpeg")
    content = load_file(content_file)
    item = Item.from_content_item(
        content, site_url="https://alumni.example.org/", content_dir=str(content_file.parents[1])
    )
    assert item.image is not None
    assert Path(item.image.path).read_bytes() == b"jpeg"
    assert item.image.url == "https://alumni.example.org/parcours/de-stagiaire-a-cto/hero.jpg"

    content.image_social = "../partage/carte.jpg"  # a picture shared by several items
    item = Item.from_content_item(content, site_url="https://a.org", content_dir="/c")
    assert item.image is not None
    assert (item.image.path, item.image.url) == (
        "/c/partage/carte.jpg",
        "https://a.org/partage/carte.jpg",
    )
    content.image_social = "https://cdn.example.org/carte.jpg"
    item = Item.from_content_item(content, site_url="https://a.org", content_dir="/c")
    assert item.image is not None and item.image.url == "https://cdn.example.org/carte.jpg"
