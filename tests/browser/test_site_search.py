"""Search on the static site, in Chromium: the page queries the Pagefind index built with the
site (one shard per year, merged in the browser), finds an item by a word of its body, filters
by section and class year, follows an update (a new item is found, a withdrawn one no longer
is), and without JavaScript says so and links the archives."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from relais import search as search_index
from relais.buildconfig import SitePaths
from relais.incremental import SiteBuilder
from tests.support import GOLDEN_CONTENT, GOLDEN_NOW, copy_tree, env, static_server, write_item

pytestmark = pytest.mark.browser

PRIZE = "Prix de la jeune ingénieure : « Camille » récompensée"
ROBOTS = "Coupe de robotique : l'école en finale"


@pytest.fixture
def site(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    copy_tree(GOLDEN_CONTENT, paths.content)
    # an item of another year: its shard is merged with this year's in the browser
    write_item(
        paths.content,
        "vie-ecole",
        "coupe-robotique",
        f'title: "{ROBOTS}"\ndate: 2024-05-14 10:00\n'
        "summary: L'équipe de l'école gagne sa demi-finale.\nclass_years: ['2019']",
        body="Le robot, baptisé Ornithorynque, a gagné ses trois matchs.",
    )
    with static_server(paths.output) as url, env(RELAIS_SITE_URL=url, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        yield url, builder, paths


def open_search(page, url: str, query: str = "") -> None:
    page.goto(f"{url}/recherche/{query}")
    expect(page.locator("form#search[data-ready=true]")).to_be_visible()


def search(page, words: str) -> None:
    page.get_by_label("Mots à chercher").fill(words)
    page.get_by_role("button", name="Rechercher").click()


def results(page) -> list[str]:
    return page.locator(".search-result-title").all_inner_texts()


def test_a_search_finds_an_item_by_a_word_of_its_body_and_filters_by_section(site, page):
    url, _builder, _paths = site
    open_search(page, url)
    expect(page.locator("#search-nojs")).to_be_hidden()
    search(page, "combustible")  # in the prize's body only
    expect(page.get_by_role("status")).to_have_text("1 résultat")
    expect(page.get_by_role("button", name="Plus de résultats")).to_be_hidden()
    result = page.locator(".search-result")
    expect(result.locator("h2 a")).to_have_text(PRIZE)
    expect(result.locator(".card-section")).to_have_text("Actualités des alumni")
    expect(result.locator(".search-result-standfirst")).to_have_text(
        "Camille Petit (promo 2019) reçoit le prix pour ses travaux sur l'hydrogène & le rail."
    )
    section = page.get_by_label("Rubrique", exact=True)
    section.select_option("Événements")
    expect(page.get_by_role("status")).to_have_text(
        "Aucun article ne correspond à cette recherche."
    )
    section.select_option("Actualités des alumni")
    expect(page.get_by_role("status")).to_have_text("1 résultat")
    assert "rubrique=Actualit" in page.url  # the search is in the address, to share it
    # a word of the item of 2024, in the other shard
    section.select_option("")
    search(page, "ornithorynque")
    expect(page.get_by_role("status")).to_have_text("1 résultat")
    assert results(page) == [ROBOTS]
    # the class year alone: the items of both years
    search(page, "")
    page.get_by_label("Promotion", exact=True).select_option("2019")
    expect(page.get_by_role("status")).to_have_text("2 résultats")
    assert sorted(results(page)) == sorted([PRIZE, ROBOTS])
    page.get_by_role("link", name=ROBOTS).click()
    expect(page).to_have_url(f"{url}/vie-ecole/coupe-robotique/")
    # a shared address opens on the same search
    open_search(page, url, "?q=combustible")
    expect(page.get_by_role("status")).to_have_text("1 résultat")


def test_the_index_follows_each_publication(site, page):
    url, builder, paths = site
    write_item(
        paths.content,
        "actualites",
        "prix-zeppelin",
        "title: Un dirigeable primé\ndate: 2026-11-20 10:00\nsummary: Un prix pour un dirigeable.",
        body="Le zeppelin cargo de Nadia Benali reçoit le prix de l'innovation.",
    )
    assert builder.update(["actualites/prix-zeppelin.md"]).kind == "incremental"
    open_search(page, url)
    search(page, "zeppelin")
    expect(page.get_by_role("status")).to_have_text("1 résultat")
    assert results(page) == ["Un dirigeable primé"]
    (paths.content / "actualites" / "prix-jeune-ingenieure.md").unlink()
    assert builder.update(["actualites/prix-jeune-ingenieure.md"]).kind == "incremental"
    open_search(page, url)
    search(page, "combustible")
    expect(page.get_by_role("status")).to_have_text(
        "Aucun article ne correspond à cette recherche."
    )
    search(page, "zeppelin")
    expect(page.get_by_role("status")).to_have_text("1 résultat")


def test_without_javascript_the_page_says_so_and_links_the_archives(site, browser):
    url, _builder, _paths = site
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{url}/recherche/")
        message = page.locator("#search-nojs")
        expect(message).to_be_visible()
        expect(message).to_contain_text("La recherche fonctionne avec JavaScript")
        expect(page.locator("form#search")).to_be_hidden()
        archives = message.get_by_role("link")
        expect(archives.first).to_have_text("Actualités des alumni")
        hrefs = [archives.nth(i).get_attribute("href") for i in range(archives.count())]
        assert f"{url}/evenements/" in hrefs and f"{url}/tags/" in hrefs
        page.goto(hrefs[0])
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Actualités"))
    finally:
        context.close()


def test_the_shards_of_a_year_of_many_items_are_merged_in_the_browser(tmp_path, page, monkeypatch):
    """A year above the bound is cut into shards (``2026-3fa9c21b``…): the search page merges
    them with the others, and the filter counts add up across them."""
    monkeypatch.setattr(search_index, "SHARD_PAGES", 2)
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    copy_tree(GOLDEN_CONTENT, paths.content)
    for n, word in enumerate(["astrolabe", "boussole", "chronomètre"]):
        write_item(
            paths.content,
            "actualites",
            f"instrument-{n}",
            f"title: Instrument {n}\ndate: 2026-0{n + 3}-02 10:00\nclass_years: ['2019']",
            body=f"Le club d'histoire des sciences restaure un {word}.",
        )
    with static_server(paths.output) as url, env(RELAIS_SITE_URL=url, RELAIS_BUILD_NOW=GOLDEN_NOW):
        SiteBuilder(paths, full_build_process=False).full_build()  # sees the bound patched above
        shards = search_index.published_shards(paths.output.resolve())
        assert len(shards) == 4 and {search_index.shard_year(n) for n in shards} == {2026}
        open_search(page, url)
        for n, word in enumerate(["astrolabe", "boussole", "chronomètre"]):  # in a body only
            search(page, word)
            expect(page.get_by_role("status")).to_have_text("1 résultat")
            expect(page.locator(".search-result-title")).to_have_text([f"Instrument {n}"])
        search(page, "")
        page.get_by_label("Promotion", exact=True).select_option("2019")
        expect(page.get_by_role("status")).to_have_text("4 résultats")  # the prize and the three
