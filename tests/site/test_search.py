"""The search index (relais.search): built with the site, one Pagefind shard per year of items,
and on a publication only the years it touches are indexed again, into the delta."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relais import search
from relais.build import BuildError, SitePaths
from relais.incremental import SiteBuilder
from tests.support import GOLDEN_CONTENT, GOLDEN_NOW, GOLDEN_SITE_URL, copy_tree, env, write_item
from tests.support import search_index_view as view


@pytest.fixture
def paths(tmp_path: Path) -> SitePaths:
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    copy_tree(GOLDEN_CONTENT, paths.content)
    write_item(
        paths.content,
        "vie-ecole",
        "coupe-robotique",
        "title: Coupe de robotique\ndate: 2024-05-14 10:00\nclass_years: ['2019']",
        body="Le robot Ornithorynque gagne.",
    )
    return paths


def inodes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def urls(shard: dict) -> list[str]:
    return sorted(page["url"] for page in shard["languages"]["fr"]["pages"])


def test_the_index_has_one_shard_per_year_of_items_with_what_the_results_show(paths):
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        SiteBuilder(paths).full_build()
    index = paths.output / "recherche" / "index"
    assert json.loads((index / "shards.json").read_text()) == {"shards": ["2026", "2024"]}
    shards = view(paths.output)
    assert urls(shards["2024"]) == ["/vie-ecole/coupe-robotique/"]
    assert len(urls(shards["2026"])) == 4  # the items, never the listings nor the pages
    prize = next(
        page
        for page in shards["2026"]["languages"]["fr"]["pages"]
        if page["url"] == "/actualites/prix-jeune-ingenieure/"
    )
    assert prize["meta"]["title"] == "Prix de la jeune ingénieure : « Camille » récompensée"
    assert prize["meta"]["section"] == "Actualités des alumni"
    assert prize["meta"]["standfirst"].startswith("Camille Petit (promo 2019) reçoit le prix")
    assert prize["filters"] == {"class_year": ["2019"], "section": ["Actualités des alumni"]}
    # the text of the item, without the navigation inside it (section link, tags, buttons)
    assert "banc d'essai pour piles à combustible" in prize["content"]
    assert "#hydrogène" not in prize["content"]
    # Pagefind's ready-made interfaces are not published: the theme has its own script
    assert not list(index.rglob("pagefind-ui.js"))
    assert (index / "2024" / "pagefind.js").is_file()


def test_an_update_indexes_again_only_the_years_it_touches(paths):
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        index = paths.output / "recherche" / "index"
        before = inodes(index / "2024")
        page = paths.content / "parcours" / "de-stagiaire-a-cto.md"
        page.write_text(page.read_text().replace("en 2012.", "en 2012, en robotique."))
        result = builder.update(["parcours/de-stagiaire-a-cto.md"])
        assert result.kind == "incremental" and "search" in result.phases
        index = paths.output.resolve() / "recherche" / "index"
        assert inodes(index / "2024") == before  # not written again: the same files
        cto = next(
            p
            for p in view(paths.output)["2026"]["languages"]["fr"]["pages"]
            if p["url"] == "/parcours/de-stagiaire-a-cto/"
        )
        assert "en 2012, en robotique." in cto["content"]
        # the last item of a year withdrawn: its shard goes, and the search page forgets it
        (paths.content / "vie-ecole" / "coupe-robotique.md").unlink()
        builder.update(["vie-ecole/coupe-robotique.md"])
        index = paths.output.resolve() / "recherche" / "index"
        assert not (index / "2024").exists()
        assert json.loads((index / "shards.json").read_text()) == {"shards": ["2026"]}
        # an item moved to another year leaves the old shard for the new one
        page.write_text(page.read_text().replace("date: 2026-10-15", "date: 2023-10-15"))
        builder.update(["parcours/de-stagiaire-a-cto.md"])
        shards = view(paths.output)
        assert urls(shards["2023"]) == ["/parcours/de-stagiaire-a-cto/"]
        assert "/parcours/de-stagiaire-a-cto/" not in urls(shards["2026"])


def test_when_pagefind_fails_nothing_is_published_and_the_error_says_what_to_do(paths, monkeypatch):
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        generation = builder.store.generation()
        monkeypatch.setattr(search, "pagefind_program", lambda: Path("/bin/false"))
        page = paths.content / "parcours" / "de-stagiaire-a-cto.md"
        page.write_text(page.read_text().replace("en 2012.", "en alternance."))
        with pytest.raises(BuildError, match="Pagefind could not index the items of 2026"):
            builder.update(["parcours/de-stagiaire-a-cto.md"])
        assert builder.store.generation() == generation
        assert (
            "en alternance"
            not in (paths.output / "parcours/de-stagiaire-a-cto/index.html").read_text()
        )
        with pytest.raises(BuildError, match="install the pagefind-bin package"):
            SiteBuilder(paths).full_build()
        assert builder.store.generation() == generation
        assert not list(paths.builds.glob(".search-*"))  # its work folder is not left behind


def test_the_manifest_lists_the_shards_newest_first():
    assert search.manifest_bytes([2019, 2026, 2024, 2026]) == b'{"shards":["2026","2024","2019"]}\n'
