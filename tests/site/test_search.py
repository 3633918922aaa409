"""The search index (relais.search): built with the site, one Pagefind shard per year of items
(cut by content in a year of many), and on a publication only the shards it touches are indexed
again, into the delta."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relais import search
from relais.buildconfig import BuildError, SitePaths
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
    names = ["2019", "2026", "2024-9c0e11a2", "2024-00b3f1e4", "2026", "2024-00b3f1e4-2"]
    assert search.manifest_bytes(names) == (
        b'{"shards":["2026","2024-00b3f1e4","2024-00b3f1e4-2","2024-9c0e11a2","2019"]}\n'
    )


def year(count: int, prefix: str = "parcours") -> list[str]:
    return [f"{prefix}/item-{i:05d}/index.html" for i in range(count)]


def holding(shards: dict[str, list[str]]) -> dict[str, int]:
    """The size of the shard that holds each page: what a publication of it indexes again."""
    return {page: len(pages) for pages in shards.values() for page in pages}


def test_a_year_of_many_is_cut_by_content_into_shards_of_bounded_size():
    assert search.cut_year(2024, year(400)) == {"2024": sorted(year(400))}
    assert search.cut_year(2024, []) == {}
    pages = year(5000)
    shards = search.cut_year(2024, reversed(pages))  # the order given does not matter
    assert shards == search.cut_year(2024, pages)
    assert sorted(p for ps in shards.values() for p in ps) == pages  # every page, once
    sizes = [len(ps) for ps in shards.values()]
    assert max(sizes) <= search.SHARD_PAGES
    assert min(sizes[:-1]) >= search.least()  # but the year's last shard
    assert {search.shard_year(name) for name in shards} == {2024}
    assert search.shard_year("pagefind") is None and search.shard_year("2024-x") is None
    assert search.shard_year("2024-3-of-8") == 2024  # an earlier version's shard, to delete


def test_shards_whose_first_pages_share_a_hash_are_numbered(monkeypatch):
    monkeypatch.setattr(search, "_mark", lambda page: 7)  # every page, one hash: cut at the bound
    shards = search.cut_year(2024, year(900))
    assert list(shards) == ["2024-00000007", "2024-00000007-2", "2024-00000007-3"]
    assert [len(pages) for pages in shards.values()] == [400, 400, 100]
    assert {search.shard_year(name) for name in shards} == {2024}


def test_a_publication_indexes_as_many_pages_in_a_small_year_of_many_as_in_a_large_one():
    """What makes a publication's search work independent of the site's size: the shard that
    holds an item is of the same size, on average, in a year of 1,000 items as in one of 5,000
    or 20,000 (cut by a power of two of shards by hash, as before, it was not: 250 pages at
    1,000, 312 at 5,000)."""
    mean = {}
    for count in (1000, 5000, 20000):
        sizes = holding(search.cut_year(2024, year(count)))
        mean[count] = sum(sizes.values()) / count
    assert max(mean.values()) / min(mean.values()) < 1.15, mean
    assert max(mean.values()) < 0.8 * search.SHARD_PAGES, mean


def test_an_item_added_or_withdrawn_changes_its_own_shard_and_seldom_the_next():
    """A withdrawn or added item moves the cuts after it until one falls on the same page as
    before: most often at once (its own shard only), seldom after a few."""
    changed = []
    for section in ("parcours", "actualites"):
        pages = year(5000, section)
        before = search.cut_year(2024, pages)
        for i in range(0, 5000, 13):
            for after in (
                search.cut_year(2024, pages[:i] + pages[i + 1 :]),  # withdrawn
                search.cut_year(2024, [*pages, f"{section}/item-{i:05d}-bis/index.html"]),
            ):
                changed.append(sum(1 for name, ps in after.items() if before.get(name) != ps))
    assert sum(1 for n in changed if n == 1) > 0.9 * len(changed)
    assert max(changed) <= 4 and sum(changed) / len(changed) < 1.1, changed


def addresses(shards: dict) -> dict[str, list[str]]:
    return {name: urls(shard) for name, shard in shards.items()}


def contents(shard: dict) -> str:
    return " ".join(page["content"] for page in shard["languages"]["fr"]["pages"])


def of_year(shards: dict, year: int) -> dict[str, list[str]]:
    return {name: urls(shard) for name, shard in shards.items() if name.startswith(str(year))}


def cut(year: int, addresses: list[str]) -> dict[str, list[str]]:
    """The shards ``search.cut_year`` makes of items at ``addresses``, by their addresses."""
    pages = [f"{url.strip('/')}/index.html" for url in addresses]
    return {
        name: [f"/{page.removesuffix('index.html')}" for page in pages]
        for name, pages in search.cut_year(year, pages).items()
    }


def publish(builder: SiteBuilder, paths: SitePaths, section: str, slug: str, day: str) -> None:
    """A new item of ``section`` dated ``day``, published by an update."""
    write_item(paths.content, section, slug, f"title: {slug}\ndate: {day} 09:00", body=f"{slug}.")
    builder.update([f"{section}/{slug}.md", f"{section}/{slug}"])


def test_an_update_indexes_again_only_the_shards_it_changes_in_a_year_of_many(
    paths, monkeypatch, tmp_path
):
    """With two items a shard, the four items of 2026 are cut in two shards, in the order of
    their addresses: an edit indexes again its item's shard only; an item whose address comes
    after the others makes a third shard and leaves the two alone; one whose address comes
    first moves every cut of the year: every shard is indexed again and the old ones go. The
    result holds what a full build of the same content holds."""
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        # built here: a full build's own process would not see the bound patched above
        builder = SiteBuilder(paths, full_build_process=False)
        builder.full_build()
        shards = addresses(view(paths.output))
        assert shards["2024"] == ["/vie-ecole/coupe-robotique/"]
        halves = of_year(view(paths.output), 2026)
        assert len(halves) == 2 and all(len(pages) == 2 for pages in halves.values())
        assert halves == cut(2026, [url for pages in halves.values() for url in pages])
        cto = "/parcours/de-stagiaire-a-cto/"
        mine = next(name for name in halves if cto in halves[name])
        other = next(name for name in halves if name != mine)
        index = paths.output.resolve() / "recherche" / "index"
        before = {name: inodes(index / name) for name in halves}
        page = paths.content / "parcours" / "de-stagiaire-a-cto.md"
        page.write_text(page.read_text().replace("en 2012.", "en 2012, en robotique."))
        builder.update(["parcours/de-stagiaire-a-cto.md"])
        index = paths.output.resolve() / "recherche" / "index"
        assert inodes(index / other) == before[other]  # the other shard is not touched
        assert "en 2012, en robotique." in contents(view(paths.output)[mine])

        before = {name: inodes(index / name) for name in halves}
        publish(builder, paths, "vie-ecole", "forum-entreprises", "2026-03-02")
        index = paths.output.resolve() / "recherche" / "index"
        thirds = of_year(view(paths.output), 2026)
        assert thirds == {
            **halves,
            next(iter(thirds.keys() - halves)): ["/vie-ecole/forum-entreprises/"],
        }
        assert {name: inodes(index / name) for name in halves} == before  # not written again

        publish(builder, paths, "actualites", "agenda-du-club", "2026-02-02")
        index = paths.output.resolve() / "recherche" / "index"
        updated = view(paths.output)
        now = of_year(updated, 2026)
        assert now == cut(2026, [url for pages in now.values() for url in pages])
        assert sum(len(pages) for pages in now.values()) == 6
        assert not any((index / name).exists() for name in thirds.keys() - now.keys())
        manifest = json.loads((index / "shards.json").read_text())["shards"]
        assert manifest == [*sorted(now), "2024"]

        fresh = SitePaths.at(paths.content, tmp_path / "fresh" / "output")
        SiteBuilder(fresh, full_build_process=False).full_build()
        assert view(fresh.output) == updated
