"""Names inserted in French sentences: "auprès d'ENILC Alumni", "Rapport d'octobre", "des
Anciens", and only at the seam — the sentence around stays as written, in any language."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from relais.french import elide, interpolate
from tests.support import write_item


@pytest.mark.parametrize(
    ("word", "name", "written"),
    [
        ("de", "ENILC Alumni", "d'ENILC Alumni"),
        ("de", "Centrale Lyon Alumni", "de Centrale Lyon Alumni"),
        ("de", "octobre 2026", "d'octobre 2026"),
        ("de", "août 2026", "d'août 2026"),
        ("de", "novembre 2026", "de novembre 2026"),
        ("de", "Émilie Rochat", "d'Émilie Rochat"),
        ("la", "École centrale", "l'École centrale"),
        ("le", "Institut", "l'Institut"),
        ("que", "Arts et Métiers", "qu'Arts et Métiers"),
        ("De", "ENILC", "D'ENILC"),
        # a mute h, an aspirated one
        ("de", "HEC Alumni", "d'HEC Alumni"),
        ("de", "Hôpital Nord", "d'Hôpital Nord"),
        ("de", "Hauts-de-France Alumni", "de Hauts-de-France Alumni"),
        ("de", "Harvard Club de France", "de Harvard Club de France"),
        # y: a vowel before a consonant only
        ("de", "Yncréa Alumni", "d'Yncréa Alumni"),
        ("de", "Yale Club", "de Yale Club"),
        # a name starting with its own article
        ("de", "Les Anciens de l'ENILC", "des Anciens de l'ENILC"),
        ("de", "Le Cercle des ingénieurs", "du Cercle des ingénieurs"),
        ("à", "Le Cercle des ingénieurs", "au Cercle des ingénieurs"),
        ("à", "Les Anciens", "aux Anciens"),
        ("de", "La Fondation", "de La Fondation"),
        ("à", "ENILC Alumni", "à ENILC Alumni"),
        # nothing to do
        ("de", "« Alumni »", "de « Alumni »"),
        ("de", "3 Suisses", "de 3 Suisses"),
    ],
)
def test_elide(word, name, written):
    assert elide(word, name) == written


def test_interpolate_applies_the_rules_at_the_placeholders_only():
    assert (
        interpolate(
            "Nous avons bien reçu votre demande auprès de %(association)s. Vous avez demandé "
            "à : %(wishes)s (de %(who)s, 100 %%).",
            {"association": "ENILC Alumni", "wishes": "adhérer", "who": "Léa"},
        )
        == "Nous avons bien reçu votre demande auprès d'ENILC Alumni. Vous avez demandé "
        "à : adhérer (de Léa, 100 %)."
    )
    assert interpolate("Your request to %(a)s", {"a": "ENILC"}) == "Your request to ENILC"
    # a "%" in a name is text, not a placeholder
    assert interpolate("auprès de %(a)s", {"a": "ENILC 100%"}) == "auprès d'ENILC 100%"


def test_a_contributors_page_says_contributions_of_with_elision(site_paths, build):
    write_item(
        site_paths.content,
        "actualites",
        "bravo",
        "title: Bravo\ndate: 2026-01-05 10:00\ncontributors: [Émilie Rochat, Claire Moreau]",
    )
    build()

    def heading(slug: str) -> str:
        page = site_paths.output / "contributeurs" / slug / "index.html"
        return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").h1.get_text()

    assert heading("emilie-rochat") == "Contributions d'Émilie Rochat"
    assert heading("claire-moreau") == "Contributions de Claire Moreau"


def test_the_join_box_names_the_association_with_contraction(golden_content, site_paths, build):
    config = golden_content / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "name: Alumni Exemple", "name: Les Anciens de l'École exemple"
        ),
        encoding="utf-8",
    )
    build()
    page = site_paths.output / "actualites" / "prix-jeune-ingenieure" / "index.html"
    join = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("aside.join")
    assert "Adhérez aux Anciens de l'École exemple pour garder le lien" in join.get_text()
