"""The theme in English: ``lang: en`` in ``site.yaml`` gives the theme's words from its English
catalogue (menus, dates, the join button, the 404, "retiré" and moved pages, feed and listing
titles, the search page), while items keep their own language, marked on the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from relais.buildconfig import BuildError, SitePaths
from relais.incremental import SiteBuilder
from tests.support import GOLDEN_CONTENT, GOLDEN_NOW, GOLDEN_SITE_URL, ROOT, copy_tree, env

THEME = ROOT / "themes" / "relais"
CATALOGUES = THEME / "translations"
PO = CATALOGUES / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def theme_words() -> set[str]:
    """Every word of the theme as Babel extracts it (themes/relais/babel.cfg)."""
    method_map = [("**.html", "jinja2"), ("**.py", "python")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    words = set()
    for folder in (THEME / "templates", ROOT / "relais" / "pelican"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map, options
        ):
            words.add(message if isinstance(message, str) else message[0])
    return words


def test_the_english_catalogue_translates_every_word_of_the_theme_and_is_compiled():
    with PO.open("rb") as fh:
        po = read_po(fh, locale="en")
    translated = {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}
    missing = sorted(theme_words() - translated.keys())
    assert not missing, f"untranslated in {PO.relative_to(ROOT)}: {missing}"
    with MO.open("rb") as fh:
        mo = read_mo(fh)
    compiled = {m.id: m.string for m in mo if m.id}
    assert compiled == translated, "messages.mo is behind messages.po: run pybabel compile"


def english_site(tmp_path: Path, **changes: str) -> SitePaths:
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    copy_tree(GOLDEN_CONTENT, paths.content)
    config = paths.content / "site.yaml"
    text = config.read_text(encoding="utf-8").replace("lang: fr", "lang: en")
    text = text.replace("signup_label: Adhérer\n", "")  # the theme's own word: "Join"
    for old, new in changes.items():
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    return paths


def page(paths: SitePaths, path: str) -> BeautifulSoup:
    return BeautifulSoup((paths.output / path).read_text(encoding="utf-8"), "html.parser")


def theme_text(soup: BeautifulSoup) -> str:
    """The words of a page that are the theme's: items (marked with their own language) and
    the association's own texts taken out."""
    for element in soup.select("[lang]:not(html), .brand, #footer-about + p, #footer-about ~ p"):
        element.decompose()
    return " ".join(soup.get_text(" ").split())


def test_an_english_site_speaks_english_and_items_keep_their_language(tmp_path):
    paths = english_site(tmp_path)
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        # an item withdrawn, another moved: their old addresses say so, in English
        (paths.content / "evenements" / "gala-2026.md").unlink()
        events = paths.content / "evenements"
        (events / "afterwork-promo-2015.md").rename(events / "afterwork-2015.md")
        builder.update(
            [
                "evenements/gala-2026.md",
                "evenements/afterwork-promo-2015.md",
                "evenements/afterwork-2015.md",
            ]
        )
    home = page(paths, "index.html")
    assert home.html["lang"] == "en"
    nav = home.select_one("nav.site-nav")
    assert nav["aria-label"] == "Sections"
    assert [a.get_text() for a in nav.select("a")][:2] == ["Alumni news", "Career stories"]
    assert home.select_one("a.cta-header").get_text() == "Join"
    assert home.select_one("header.hero a.cta").get_text() == "Join"
    assert home.select_one(".skip-link").get_text() == "Skip to content"
    assert home.select_one("#upcoming-title").get_text() == "Upcoming events"
    assert "Saturday, December 12, 2026, 19:00" in home.select_one(".event-list").get_text()
    assert home.select_one("a.search-link").get_text() == "Search"
    card = home.select_one(".card")
    assert card["lang"] == "fr"  # a French item on an English site says so

    article = page(paths, "parcours/de-stagiaire-a-cto/index.html")
    assert article.html["lang"] == "en"
    assert article.select_one("article.article")["lang"] == "fr"
    assert article.select_one(".byline time").get_text() == "October 15, 2026"
    assert article.select_one("#career-title").get_text() == "Profile"
    assert "(class of 2012)" in article.select_one(".career-box").get_text()
    assert article.select_one("#join-title").get_text() == "Join the network"
    assert (
        "A graduate of the school? Join Alumni Exemple to keep in touch"
        in article.select_one("aside.join").get_text()
    )
    assert article.select_one("aside.join a.cta").get_text() == "Join"
    assert article.find("meta", property="article:section")["content"] == "Career stories"

    listing = page(paths, "promotions/2012/index.html")
    assert listing.h1.get_text() == "Class of 2012"
    assert listing.select_one(".lead").get_text() == "News and events of the class of 2012."
    assert page(paths, "tags/hydrogene/index.html").h1.get_text() == "Theme: hydrogène"
    assert (
        page(paths, "parcours/index.html")
        .select_one(".lead")
        .get_text()
        .startswith("Engineers tell their careers")
    )
    feed = (paths.output / "feeds/tags/hydrogene.atom.xml").read_text(encoding="utf-8")
    assert "<title>Alumni Exemple - Theme: hydrogène</title>" in feed

    missing = page(paths, "404.html")
    assert missing.h1.get_text() == "Page not found"
    assert missing.title.get_text() == "Page not found — Alumni Exemple"
    gone = page(paths, "evenements/gala-2026/index.html")
    assert gone.h1.get_text() == "Article withdrawn"
    assert "“Gala annuel 2026” is no longer online" in gone.select_one(".lead").get_text()
    assert "Events: the articles online" in gone.get_text()

    moved = page(paths, "evenements/afterwork-promo-2015/index.html")
    assert moved.html["lang"] == "en"
    assert " ".join(moved.body.get_text().split()) == (
        f"“Afterwork #promo2015 à Lyon” is now at {GOLDEN_SITE_URL}/evenements/afterwork-2015/."
    )
    assert moved.body.a["href"] == f"{GOLDEN_SITE_URL}/evenements/afterwork-2015/"

    search = page(paths, "recherche/index.html")
    assert search.h1.get_text() == "Search the site"
    assert "Search works with JavaScript" in search.select_one("#search-nojs").get_text()
    assert search.select_one("label[for=search-q]").get_text() == "Words to search for"
    assert search.select_one("#search")["data-other"] == "{n} results"
    agenda = (paths.output / "evenements/agenda.ics").read_bytes()
    assert b"X-WR-CALNAME:Alumni Exemple \xe2\x80\x94 events" in agenda

    # no French word of the theme is left on any page of the English site (the sentences with
    # a name in them are checked above: the names are the association's, in French)
    with PO.open("rb") as fh:
        french = [m.id for m in read_po(fh) if m.id and m.string != m.id]
    words = [w for w in french if not re.search(r"%\(\w+\)s|\{n\}", w) and len(w) > 3]
    for path in sorted(paths.output.rglob("*.html")):
        text = theme_text(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser"))
        left = [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
        assert not left, (path.relative_to(paths.output), left)


def test_a_french_site_is_unchanged_by_the_catalogues(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    copy_tree(GOLDEN_CONTENT, paths.content)
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
    home = page(paths, "index.html")
    assert home.html["lang"] == "fr"
    assert home.select_one("header.hero a.cta").get_text() == "Adhérer / Join"
    assert home.select_one(".card").get("lang") is None
    events = paths.content / "evenements"
    (events / "gala-2026.md").rename(events / "gala-annuel-2026.md")
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder.update(["evenements/gala-2026.md", "evenements/gala-annuel-2026.md"])
    moved = page(paths, "evenements/gala-2026/index.html")
    assert str(moved.body.p) == (
        f"<p>« Gala annuel 2026 » est désormais à l'adresse <a href=\"{GOLDEN_SITE_URL}/"
        f'evenements/gala-annuel-2026/">{GOLDEN_SITE_URL}/evenements/gala-annuel-2026/</a>.</p>'
    )


def test_a_language_the_theme_does_not_speak_is_refused_with_what_to_do(tmp_path):
    paths = english_site(tmp_path, **{"lang: en": "lang: de"})
    with (
        env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW),
        pytest.raises(BuildError) as error,
    ):
        SiteBuilder(paths).full_build()
    message = str(error.value)
    assert "site.yaml: field 'lang'" in message
    assert "the theme has no words in 'de': use one of en, fr" in message
    assert not paths.output.exists()
