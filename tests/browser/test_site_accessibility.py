"""The static site passes axe-core without violations, in French and in English: the home page,
an article, a listing, the search page (with its results shown) and the 404 page.

axe-core 4.14.1 is vendored as a test fixture (``tests/fixtures/axe``, MPL-2.0, see its
README) and injected into each page in Chromium."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from relais.buildconfig import SitePaths
from relais.incremental import SiteBuilder
from tests.support import FIXTURES, GOLDEN_CONTENT, GOLDEN_NOW, copy_tree, env, static_server

pytestmark = pytest.mark.browser

AXE = FIXTURES / "axe" / "axe.min.js"
PAGES = {
    "home": "/",
    "article": "/actualites/prix-jeune-ingenieure/",
    "event": "/evenements/afterwork-promo-2015/",
    "listing": "/actualites/",
    "tags": "/tags/",
    "search": "/recherche/?q=prix",
    "404": "/cette-page-n-existe-pas/",
}


@pytest.fixture(params=["fr", "en"])
def site(request, tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    copy_tree(GOLDEN_CONTENT, paths.content)
    config = paths.content / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("lang: fr", f"lang: {request.param}")
    )
    with static_server(paths.output) as url, env(RELAIS_SITE_URL=url, RELAIS_BUILD_NOW=GOLDEN_NOW):
        SiteBuilder(paths).full_build()
        yield url


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
           .map(v => ({id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
    )
    return found


def test_the_site_has_no_axe_violation(site, page):
    problems = {}
    for name, path in PAGES.items():
        page.goto(site + path)
        if name == "search":
            expect(page.locator(".search-result").first).to_be_visible()
        found = violations(page)
        if found:
            problems[name] = found
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_axe_sees_the_landmark_the_hero_used_to_repeat(page, tmp_path):
    """The check itself finds what it must: two regions of one name (as the home page's hero
    and the footer's first section once were) are a ``landmark-unique`` violation."""
    page.set_content(
        "<!DOCTYPE html><html lang='fr'><head><title>t</title></head><body><main>"
        "<section aria-labelledby='a'><h1 id='a'>Alumni Exemple</h1></section></main>"
        "<footer><section aria-labelledby='b'><h2 id='b'>Alumni Exemple</h2></section>"
        "</footer></body></html>"
    )
    assert "landmark-unique" in [v["id"] for v in violations(page)]
