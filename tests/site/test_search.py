"""The search index (relais.search): built with the site, one Pagefind shard per year of items
(cut by address in a year of many), and on a publication only the shards it touches are indexed
again, into the delta."""

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
            # built here: a full build's own process would not see the program patched above
            SiteBuilder(paths, full_build_process=False).full_build()
        assert builder.store.generation() == generation
        assert not list(paths.builds.glob(".search-*"))  # its work folder is not left behind


def test_the_manifest_lists_the_shards_newest_first():
    names = ["2019", "2026", "2024-10-of-16", "2024-2-of-16", "2026", "2024-1-of-16"]
    assert search.manifest_bytes(names) == (
        b'{"shards":["2026","2024-1-of-16","2024-2-of-16","2024-10-of-16","2019"]}\n'
    )


def test_a_year_is_cut_into_a_power_of_two_of_shards_of_bounded_size(monkeypatch):
    monkeypatch.setattr(search, "SHARD_PAGES", 100)
    counts = [search.shard_count(n) for n in (0, 1, 100, 101, 200, 201, 400, 401, 5000)]
    assert counts == [1, 1, 1, 2, 2, 4, 4, 8, 64]
    assert search.shard_name(2024, "a/b/index.html", 100) == "2024"
    pages = [f"parcours/{i}/index.html" for i in range(5000)]
    names = [search.shard_name(2024, page, len(pages)) for page in pages]
    sizes = sorted(names.count(name) for name in set(names))
    assert len(sizes) == 64 and sizes[-1] < 2 * 100  # every shard used, none much over
    assert {search.shard_year(name) for name in names} == {2024}
    assert search.shard_year("pagefind") is None and search.shard_year("2024-x") is None


def addresses(shards: dict) -> dict[str, list[str]]:
    return {name: urls(shard) for name, shard in shards.items()}


def contents(shard: dict) -> str:
    return " ".join(page["content"] for page in shard["languages"]["fr"]["pages"])


def test_an_update_indexes_again_only_the_shard_of_its_item_in_a_year_of_many(
    paths, monkeypatch, tmp_path
):
    """With two items a shard, the four items of 2026 are cut in two shards by address: an
    edit indexes again its item's shard only; a fifth item takes the year to four shards,
    every shard of the year is indexed again and the two old ones go; the result holds what
    a full build of the same content holds."""
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        # built here: a full build's own process would not see the bound patched above
        builder = SiteBuilder(paths, full_build_process=False)
        builder.full_build()
        shards = addresses(view(paths.output))
        halves = sorted(name for name in shards if name.startswith("2026"))
        assert halves == ["2026-1-of-2", "2026-2-of-2"]
        assert shards["2024"] == ["/vie-ecole/coupe-robotique/"]
        assert sum(len(shards[name]) for name in halves) == 4
        for name in halves:  # each page is in the shard its address hashes to
            for url in shards[name]:
                assert search.shard_name(2026, f"{url.strip('/')}/index.html", 4) == name
        cto = "/parcours/de-stagiaire-a-cto/"
        mine = next(name for name in halves if cto in shards[name])
        other = next(name for name in halves if name != mine)
        before = inodes(paths.output.resolve() / "recherche" / "index" / other)
        page = paths.content / "parcours" / "de-stagiaire-a-cto.md"
        page.write_text(page.read_text().replace("en 2012.", "en 2012, en robotique."))
        builder.update(["parcours/de-stagiaire-a-cto.md"])
        index = paths.output.resolve() / "recherche" / "index"
        assert inodes(index / other) == before  # the other shard of the year is not touched
        assert "en 2012, en robotique." in contents(view(paths.output)[mine])

        write_item(
            paths.content,
            "vie-ecole",
            "forum-entreprises",
            "title: Forum entreprises\ndate: 2026-03-02 09:00",
            body="Le forum réunit quarante entreprises.",
        )
        builder.update(["vie-ecole/forum-entreprises.md", "vie-ecole/forum-entreprises"])
        index = paths.output.resolve() / "recherche" / "index"
        quarters = sorted(search.published_shards(paths.output.resolve()) - {"2024"})
        assert quarters and all(name.endswith("-of-4") for name in quarters)
        assert not any((index / name).exists() for name in halves)
        manifest = json.loads((index / "shards.json").read_text())["shards"]
        assert manifest == [*sorted(quarters, key=lambda n: int(n.split("-")[1])), "2024"]
        updated = view(paths.output)
        assert sum(len(urls(updated[name])) for name in quarters) == 5

        fresh = SitePaths.at(paths.content, tmp_path / "fresh" / "output")
        SiteBuilder(fresh, full_build_process=False).full_build()
        assert view(fresh.output) == updated
