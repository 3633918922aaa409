"""Pages without a feed: the main text (trafilatura), its change as a text diff, and the new
links of a listing page."""

from __future__ import annotations

import pytest

from relais.watching.errors import WatchError
from relais.watching.links import story_key
from relais.watching.pages import (
    decode,
    main_text,
    new_entries,
    page_links,
    sentences,
    text_diff,
)
from tests.watching.conftest import NOW, fixture_bytes


def page(name: str) -> str:
    return decode(fixture_bytes("pages", name))


def test_the_main_text_leaves_menus_advertisements_and_footers_out():
    text = main_text(page("classement.html"), "https://presse.example/classement")
    assert "se classe à la 12e place" in text
    assert "Publicité" not in text and "mentions légales" not in text and "<p>" not in text


def test_a_change_is_shown_as_sentences_and_words_not_html():
    before = main_text(page("classement.html"))
    after = main_text(page("classement-2.html"))
    change = text_diff(before, after)
    assert change.text().splitlines() == [
        "~ L'École des Mines du Nord se classe à la [-12e-] {+8e+} place, en progression de "
        "[-trois-] {+sept+} rangs.",
        "+ Une nouvelle catégorie récompense les écoles les plus engagées pour le climat.",
    ]
    assert change.added == 2 and change.removed == 1
    assert [p.kind for p in change.parts] == ["changed", "added"]


def test_a_page_whose_html_changed_but_not_its_text_has_no_change():
    before = main_text(page("classement.html"))
    assert not text_diff(before, main_text(page("classement-habillage.html")))
    assert not text_diff(before, before)


def test_a_rewritten_sentence_is_removed_then_added():
    change = text_diff("Le gala aura lieu en mai.", "Tout est reporté sine die, hélas.")
    assert change.text() == "- Le gala aura lieu en mai.\n+ Tout est reporté sine die, hélas."


def test_sentences_split_on_ends_and_paragraphs():
    assert sentences("Un. Deux ! Trois ?\nQuatre… Cinq") == [
        "Un.",
        "Deux !",
        "Trois ?",
        "Quatre…",
        "Cinq",
    ]


def test_links_of_a_listing_are_absolute_normalised_with_their_text():
    links = page_links(page("ecole-actualites.html"), "https://www.mines-nord.example/actualites/")
    assert links == [
        ("https://www.mines-nord.example/", "Accueil"),
        ("https://www.mines-nord.example/formations", "Formations"),
        # relative to <base href="/actualites/">, utm_* and the fragment dropped
        (
            "https://www.mines-nord.example/actualites/2026/remise-des-diplomes",
            "Remise des diplômes 2026",
        ),
        (
            "https://www.mines-nord.example/actualites/2026/partenariat-industriel",
            "Un partenariat industriel avec la région",
        ),
        # a picture's alt when the link has no text
        (
            "https://www.mines-nord.example/actualites/2026/portes-ouvertes",
            "Journée portes ouvertes",
        ),
    ]  # not the other site, the e-mail address, nor the page itself (#haut)


def test_new_links_become_entries():
    url = "https://www.mines-nord.example/actualites/"
    known = set(_keys(page_links(page("ecole-actualites.html"), url)))
    entries = new_entries(
        page_links(page("ecole-actualites-2.html"), url), known, fetched_at=NOW, source_id="s"
    )
    assert [(e.title, e.link, e.key) for e in entries] == [
        (
            "Un nouveau directeur pour l'école",
            "https://www.mines-nord.example/actualites/2026/nouveau-directeur",
            "mines-nord.example/actualites/2026/nouveau-directeur",
        )
    ]
    assert entries[0].published == NOW and entries[0].date_status == "missing"


def _keys(links):
    return [story_key(link) for link, _ in links]


def test_a_page_without_text_says_so():
    with pytest.raises(WatchError, match="aucun texte lisible"):
        main_text("<html><body><script>var a = 1;</script></body></html>", "https://x.example/")
