"""An association's data stays home: the admin's pages, opened in a real browser, ask nothing of
any other server (no Gravatar picture, which would send each user's e-mail hash, no update check
at releases.wagtail.org, no web font or script from elsewhere)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from wagtail.models import Site

from cms.content.models import HomePage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.members.models import SignUpPage
from relais.sections import SECTIONS
from tests.cms.factories import make_item, root_page

pytestmark = pytest.mark.browser

HOME = {"127.0.0.1", "localhost"}


@pytest.fixture
def tree(transactional_db, live_server, settings, tmp_path, django_user_model):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.RELAIS_SITE_URL = "http://127.0.0.1:9"  # the association's site: not reached here
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    root = root_page()
    home = root.add_child(instance=HomePage(title="Alumni Exemple", slug="alumni"))
    Site.objects.all().delete()
    site = Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Alumni"
    )
    indexes = {
        key: home.add_child(instance=SectionIndexPage(title=s.label_fr, slug=key, section=key))
        for key, s in SECTIONS.items()
    }
    signup = home.add_child(instance=SignUpPage(title="Adhérer", slug="adherer"))
    config = AssociationSettings.for_site(site)
    config.name, config.signup_page = "Alumni Exemple", signup
    config.save()
    # a superuser with an e-mail address: the one Wagtail would show a Gravatar picture for
    # and check for updates
    django_user_model.objects.create_superuser(
        "secretaire", "secretariat@alumni.example.org", "mot-de-passe"
    )
    item = make_item({"indexes": indexes})
    return {"admin": live_server.url, "item": item, "index": indexes["actualites"]}


def test_admin_pages_ask_nothing_of_other_servers(tree, browser):
    admin = tree["admin"]
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).hostname not in HOME
            else None
        ),
    )
    try:
        page.goto(f"{admin}/admin/login/")
        page.get_by_label("Nom d’utilisateur").fill("secretaire")
        page.locator("#id_password").fill("mot-de-passe")
        page.get_by_role("button", name="S'identifier").click()
        page.wait_for_url(f"{admin}/admin/")
        page.wait_for_load_state("networkidle")
        for path in (
            "/admin/",
            f"/admin/pages/{tree['index'].pk}/",
            f"/admin/pages/{tree['item'].pk}/edit/",
            "/admin/account/",
            "/admin/users/",
            "/admin/images/",
            "/admin/adhesions/",
            "/admin/stats/",
            "/admin/social/accounts/",
            "/admin/social/deliveries/",
            "/admin/site/",
        ):
            page.goto(f"{admin}{path}")
            page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert outside == []
