"""The statistics as a secretary sees them on a 1280×800 screen: every chart drawn at least at
its own size (its text at 11 px or more), and no table cut — neither wider than the block that
holds it (the admin hides what overflows to the right) nor scrolled inside a fixed height."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cms.factories import root_page

pytestmark = pytest.mark.browser

MEASURE = """(selector) => {
  const main = document.querySelector("main").getBoundingClientRect();
  const tables = [...document.querySelectorAll(selector)].map((table) => {
    const box = table.parentElement;
    return {
      name: table.dataset.table,
      wider: table.scrollWidth > box.clientWidth + 1,
      scrolled: box.scrollHeight > box.clientHeight + 1,
      past_page: table.getBoundingClientRect().right > main.right + 1,
    };
  });
  const charts = [...document.querySelectorAll("svg.stats-chart")].map((svg) => ({
    name: svg.id,
    width: svg.getBoundingClientRect().width,
    drawn: svg.viewBox.baseVal.width,
  }));
  return { tables, charts };
}"""


@pytest.fixture(autouse=True)
def wagtail_root(transactional_db):
    """Live-server tests flush the database, the rows migrations made included: the site tree
    needs Wagtail's root page back."""
    root_page()


@contextlib.contextmanager
def signed_in(browser, live_server, user) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Nom d’utilisateur").fill(user.username)
        page.locator("#id_password").fill("pw")
        page.get_by_role("button", name="S'identifier").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/admin/stats/", "/admin/stats/contributeurs/"])
def test_at_1280_px_charts_are_legible_and_no_table_is_cut(
    history, live_server, browser, admin_user, path
):
    with signed_in(browser, live_server, admin_user) as page:
        page.goto(f"{live_server.url}{path}")
        found = page.evaluate(MEASURE, "table.stats-table")
    assert found["tables"] and found["charts"]
    cut = [t for t in found["tables"] if t["wider"] or t["scrolled"] or t["past_page"]]
    assert cut == []
    small = [c for c in found["charts"] if c["width"] < c["drawn"]]
    assert small == []


def test_at_1280_px_an_items_numbers_fit_its_social_tab(
    history, published, live_server, browser, admin_user
):
    item = published["parcours/de-stagiaire-a-cto"]
    with signed_in(browser, live_server, admin_user) as page:
        page.goto(f"{live_server.url}/admin/pages/{item.pk}/edit/")
        page.get_by_role("tab", name="Réseaux sociaux").click()
        page.locator("[data-item-stats] table").wait_for()
        found = page.evaluate(MEASURE, "[data-item-stats] table")
    assert len(found["tables"]) == 1  # the item's table, shown
    cut = [t for t in found["tables"] if t["wider"] or t["scrolled"] or t["past_page"]]
    assert cut == []
