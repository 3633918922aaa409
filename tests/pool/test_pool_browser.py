"""In a real browser: the federation writes an item and shares it; association A adopts it,
association B declines it. The item appears on A's static site only, with a canonical link to
the original, and is posted by A's accounts only."""

from __future__ import annotations

import contextlib
import re

import pytest
import requests
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Site

from cms.content.models import HomePage, ItemPage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.federation.models import Association
from cms.publishing import export
from relais.sections import SECTIONS
from tests.cms.factories import root_page
from tests.social.support import make_account
from tests.support import static_server

pytestmark = pytest.mark.browser

TITLE = "Forum de l'emploi des ingénieurs 2027"
PASSWORD = "mot-de-passe"


def make_site(name: str, slug: str, default: bool = False) -> Site:
    home = root_page().add_child(instance=HomePage(title=name, slug=slug))
    site = Site.objects.create(
        hostname="localhost" if default else f"{slug}.localhost",
        port=80,
        root_page=home,
        is_default_site=default,
        site_name=name,
    )
    for key, section in SECTIONS.items():
        home.add_child(instance=SectionIndexPage(title=section.label_fr, slug=key, section=key))
    config = AssociationSettings.for_site(site)
    config.name = name
    config.save()
    return site


def editor(association: Association, username: str, django_user_model) -> None:
    group = Group.objects.create(name=f"{association} rédaction")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=association.site.root_page,
            permission=Permission.objects.get(codename=codename),
        )
    association.editors = group
    association.save()
    user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
    user.groups.add(group)


@pytest.fixture
def pool_sites(transactional_db, live_server, settings, tmp_path, django_user_model, fakes):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    Site.objects.all().delete()
    fed_site = make_site("Fédération des ingénieurs", "federation", default=True)
    fed = Association.for_site(fed_site)
    fed.kind = Association.Kind.FEDERATION
    fed.save()
    associations = {"federation": fed}
    for key, name in (("a", "Alumni Nantes"), ("b", "Alumni Rennes")):
        association = Association.for_site(make_site(name, key))
        association.parent = fed
        association.save()
        associations[key] = association
        editor(association, f"redaction-{key}", django_user_model)
        for network in ("mastodon", "x"):
            make_account(association.site, fakes[network])
    django_user_model.objects.create_superuser("federation", "f@example.org", PASSWORD)
    with contextlib.ExitStack() as stack:
        for association in associations.values():
            association.output_dir.parent.mkdir(parents=True, exist_ok=True)
            association.site_url = stack.enter_context(static_server(association.output_dir))
            association.save()
            association.content_dir.mkdir(parents=True, exist_ok=True)
            export.export_site_config(association.site)
        yield {"admin": live_server.url, **associations}


def log_in(page, admin: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{admin}/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="S'identifier").click()
    page.wait_for_url(f"{admin}/admin/")


def test_the_federation_shares_a_adopts_b_declines(pool_sites, page, fakes):
    admin, fed, a, b = (pool_sites[k] for k in ("admin", "federation", "a", "b"))

    # -- the federation writes and publishes an item, then shares it with every association
    log_in(page, admin, "federation")
    index = SectionIndexPage.of(fed.site.root_page, "actualites")
    page.goto(f"{admin}/admin/pages/add/content/alumninewspage/{index.pk}/")
    # wait for Wagtail's reference copy of the form before typing (see test_publish_flow.py)
    page.wait_for_function(
        "() => { const form = document.querySelector('#page-edit-form');"
        " const unsaved = form && window.wagtail.app.getControllerForElementAndIdentifier("
        "form, 'w-unsaved'); return Boolean(unsaved && unsaved.initialFormData); }"
    )
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("Le forum revient en mars, ouvert à toutes les écoles.")
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"), timeout=30_000)
    page.locator('#w-autosave-indicator[data-w-autosave-state-value="saved"]').wait_for(
        state="attached", timeout=30_000
    )
    page.get_by_role("button", name="Plus d'actions").click()
    page.get_by_role("button", name="Publier").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    original_id = ItemPage.objects.get(title=TITLE).pk
    page.goto(f"{admin}/admin/pages/{original_id}/edit/")
    page.get_by_role("button", name="Actions", exact=True).click()
    page.get_by_role("link", name="Partage").click()
    page.wait_for_url(f"{admin}/admin/pool/share/{original_id}/")
    page.get_by_label("toutes les associations rattachées").check()
    page.get_by_role("button", name="Enregistrer le partage").click()
    page.wait_for_url(f"{admin}/admin/pool/share/{original_id}/")
    assert "2 associations de plus reçoivent" in page.locator(".messages").inner_text()

    # -- A adopts it, B declines it
    for key, action in (("a", "Adopter"), ("b", "Refuser")):
        log_in(page, admin, f"redaction-{key}")
        page.get_by_role("link", name="Articles proposés").click()
        row = page.locator("tr.pool-offer", has_text=TITLE)
        row.get_by_role("button", name=action).click()
        page.wait_for_load_state()
        assert TITLE in page.locator(".messages").inner_text()
        state = "adopté" if key == "a" else "refusé"
        assert state in page.locator("tr.pool-offer", has_text=TITLE).inner_text()

    # -- on A's static site only, with the original as canonical
    fed.refresh_from_db()
    original_url = f"{fed.public_url}/actualites/"
    page.goto(f"{a.site_url}/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{a.site_url}/actualites/**")
    assert page.locator("h1").inner_text() == TITLE
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical.startswith(original_url) and not canonical.startswith(a.site_url)
    assert TITLE not in requests.get(f"{b.site_url}/", timeout=10).text
    slug = page.url.rstrip("/").rsplit("/", 1)[1]
    assert requests.get(f"{b.site_url}/actualites/{slug}/", timeout=10).status_code == 404

    # -- posted by A's accounts only, once each
    for network in ("mastodon", "x"):
        links = [p["link"] for p in fakes[network].posts]
        assert len(links) == 1, (network, links)
        assert links[0].startswith(f"{a.site_url}/actualites/{slug}/")

    # -- each editor sees only their own association: B's editor finds none of A's pages
    copy = ItemPage.objects.exclude(pk=original_id).get(title=TITLE)
    log_in(page, admin, "redaction-b")
    page.goto(f"{admin}/admin/pages/")
    listed = page.locator("main").inner_text()
    assert "Alumni Rennes" in listed and "Alumni Nantes" not in listed
    response = page.goto(f"{admin}/admin/pages/{copy.pk}/edit/")
    # refused: no editor of A's copy, nothing of it shown
    assert response.status in (403, 404)  # (the scope answers "not found" for another
    # association's page)
    assert page.locator("#page-edit-form").count() == 0
    assert TITLE not in page.content()

    # -- the federation's dashboard: A took it, B declined it, counts side by side
    log_in(page, admin, "federation")
    page.get_by_role("link", name="Tableau de la fédération").click()
    page.wait_for_url(f"{admin}/admin/pool/tableau/")
    nantes = page.locator('tr[data-association="alumni-nantes"]').inner_text().split()
    rennes = page.locator('tr[data-association="alumni-rennes"]').inner_text().split()
    assert nantes[:7] == ["Alumni", "Nantes", "1", "1", "0", "0", "100"]
    assert rennes[:7] == ["Alumni", "Rennes", "1", "0", "1", "0", "0"]
    item = page.locator(f'tr[data-item="{original_id}"]').inner_text()
    assert item.split("\t")[:6] == [TITLE, "2", "1", "1", "0", "1"]
