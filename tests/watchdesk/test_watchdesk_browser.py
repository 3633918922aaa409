"""In a real browser: an editor adds a source by its site's address, the entries arrive (a
check cycle), and she triages them by keyboard — one kept for the press review, the next
turned into a draft news item whose editor opens."""

from __future__ import annotations

import re

import pytest
from wagtail.models import Site

from cms.content.models import AlumniNewsPage
from cms.watch.checking import run_cycle
from cms.watch.models import Source, WatchEntry
from tests.federation.builders import association_site, member_of
from tests.watchdesk.conftest import HTML, fixture_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def live_a(transactional_db, live_server, settings, tmp_path):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    Site.objects.all().delete()
    a = association_site("Alumni A", "a.example.org", default=True)
    association_site("Alumni B", "b.example.org")
    member_of(a["association"], "editors", username="alice")
    return {"admin": live_server.url, **a}


def test_an_editor_adds_a_source_and_triages_by_keyboard(live_a, page, web):
    admin = live_a["admin"]
    web.route("/actualites/", body=fixture_bytes("pages", "ecole-actualites.html"),
              content_type=HTML)  # fmt: skip
    web.route("/actualites/flux.rss", body=fixture_bytes("feeds", "presse.rss"))
    page.goto(f"{admin}/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.locator("#id_password").fill("pw")
    page.get_by_role("button", name="S'identifier").click()
    page.wait_for_url(f"{admin}/admin/")

    page.goto(f"{admin}/admin/watch/sources/")
    page.get_by_label("Adresse du site, du flux ou de la page").fill(web.url("/actualites/"))
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("Source ajoutée").wait_for()
    source = Source.objects.get(site=live_a["site"])
    assert source.url == web.url("/actualites/flux.rss")

    assert run_cycle()[0].new == 4
    page.goto(f"{admin}/admin/watch/")
    entries = page.locator(".watch-entry")
    assert entries.count() == 4
    page.keyboard.press("j")  # the first entry
    first = int(entries.first.get_attribute("data-entry"))
    page.keyboard.press("g")  # kept for the press review
    second = int(entries.nth(1).get_attribute("data-entry"))
    page.wait_for_url(re.compile(rf"#entree-{second}$"))
    kept = WatchEntry.objects.get(pk=first)
    assert (kept.state, kept.kept_for) == ("kept", "review")
    # the desk opened at the next entry, focused: "b" makes it a draft news item
    page.wait_for_function(f"document.activeElement.dataset.entry === '{second}'")
    page.keyboard.press("b")
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    draft = AlumniNewsPage.objects.get(title=WatchEntry.objects.get(pk=second).title)
    assert not draft.live
    assert page.locator("#id_title").input_value() == draft.title
