"""The Social tab in a real browser: as the editor types, the count under each network follows,
computed by the composer on the server (X's weighting: an emoji weighs 2, a link 23)."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from cms.content.models import HomePage, SectionIndexPage
from cms.publishing.models import ExportRecord
from cms.social.compose import item_from_record
from relais.sections import SECTIONS
from syndication.compose import compose
from syndication.networks import registry
from syndication.testing.fakes import FakeX
from tests.cms.factories import make_item, root_page
from tests.social.support import make_account

pytestmark = pytest.mark.browser


@pytest.fixture
def tree(transactional_db, live_server, settings, tmp_path, django_user_model):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.RELAIS_SITE_URL = "https://alumni.example.org"
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    root = root_page()
    home = root.add_child(instance=HomePage(title="Alumni Exemple", slug="alumni"))
    Site.objects.all().delete()
    site = Site.objects.create(
        hostname="localhost",
        port=80,
        root_page=home,
        is_default_site=True,
        site_name="Alumni Exemple",
    )
    indexes = {
        key: home.add_child(instance=SectionIndexPage(title=s.label_fr, slug=key, section=key))
        for key, s in SECTIONS.items()
    }
    django_user_model.objects.create_superuser("redactrice", "r@example.org", "mot-de-passe")
    return {"site": site, "indexes": indexes, "admin": live_server.url}


def test_the_count_follows_the_editors_typing(tree, page):
    item = make_item(tree)  # published: exported and built on commit
    with FakeX() as fake:
        make_account(tree["site"], fake)
        admin = tree["admin"]
        page.goto(f"{admin}/admin/login/")
        page.get_by_label("Nom d’utilisateur").fill("redactrice")
        page.locator("#id_password").fill("mot-de-passe")
        page.get_by_role("button", name="S'identifier").click()
        page.wait_for_url(f"{admin}/admin/")
        page.goto(f"{admin}/admin/pages/{item.pk}/edit/")
        page.get_by_role("tab", name="Réseaux sociaux").click()
        block = page.locator('[data-network="x"]')
        live = item_from_record(ExportRecord.objects.get(page_id=item.pk))
        automatic = compose(live, registry.create("x"))
        assert block.locator("[data-social-length]").inner_text() == str(automatic.length)

        typed = "Bravo Léa 🎉🎉 !"
        block.locator("textarea").press_sequentially(typed, delay=20)
        expected = compose(live, registry.create("x"), typed)
        assert expected.length == 12 + 2 * 2 + 2 + 23  # letters and spaces, 🎉🎉, \n\n, link
        length = block.locator("[data-social-length]")
        page.wait_for_function(
            "([el, n]) => el.textContent === String(n)",
            arg=[length.element_handle(), expected.length],
        )
        assert block.locator("[data-social-text]").inner_text().startswith(typed)
        assert block.locator("[data-social-error]").inner_text() == ""

        block.locator("textarea").fill("Trop long " * 40)
        error = block.locator("[data-social-error]")
        error.wait_for(state="visible")
        page.wait_for_function(
            "el => el.textContent.includes('raccourcissez-le de')", arg=error.element_handle()
        )
        assert "Le texte pour X compte" in error.inner_text()
