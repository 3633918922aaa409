"""An editor's day, in a real browser: log in, write a news item, preview it, publish it, and
find it on the static site — home page, section page and Atom feed; then a reader follows the
item's "Adhérer / Join" link to the CMS's sign-up form and signs up."""

from __future__ import annotations

import re

import feedparser
import pytest
import requests
from django.core.management import call_command
from wagtail.models import Site

from cms.content.models import HomePage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.members.models import Signup, SignUpPage
from cms.publishing import export
from relais.sections import SECTIONS
from tests.cms.factories import root_page
from tests.support import static_server

pytestmark = pytest.mark.browser

TITLE = "Nomination : « Léa Martin » prend la tête de la R&D"
SUMMARY = "Léa Martin (promo 2012) devient directrice R&D d'un équipementier ferroviaire."


@pytest.fixture
def live_site(transactional_db, live_server, settings, tmp_path, django_user_model):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    # live-server tests flush the database, root page included: make one if it went
    root = root_page()
    home = root.add_child(instance=HomePage(title="Alumni Exemple", slug="alumni"))
    Site.objects.all().delete()
    # The default site as Wagtail's first migration makes it (localhost, port 80); `make run`
    # migrates at each start, and migrating gives it the CMS's address (RELAIS_CMS_URL)
    site = Site.objects.create(
        hostname="localhost",
        port=80,
        root_page=home,
        is_default_site=True,
        site_name="Alumni Exemple",
    )
    call_command("migrate", verbosity=0)
    for key, section in SECTIONS.items():
        home.add_child(instance=SectionIndexPage(title=section.label_fr, slug=key, section=key))
    signup = home.add_child(instance=SignUpPage(title="Adhérer", slug="adherer"))
    config = AssociationSettings.for_site(site)
    config.name, config.signup_page = "Alumni Exemple", signup
    config.save()
    django_user_model.objects.create_superuser("redactrice", "r@example.org", "mot-de-passe")
    settings.RELAIS_CONTENT_DIR.mkdir(parents=True, exist_ok=True)
    with static_server(settings.RELAIS_SITE_OUTPUT) as site_url:
        settings.RELAIS_SITE_URL = site_url
        export.export_site_config(site)
        yield {"admin": live_server.url, "site": site_url}


def test_write_preview_publish_and_find_on_the_static_site(live_site, page):
    admin, site = live_site["admin"], live_site["site"]
    page.goto(f"{admin}/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill("redactrice")
    page.locator("#id_password").fill("mot-de-passe")
    page.get_by_role("button", name="S'identifier").click()
    page.wait_for_url(f"{admin}/admin/")

    index = SectionIndexPage.of(Site.objects.get(is_default_site=True), "actualites")
    page.goto(f"{admin}/admin/pages/add/content/alumninewspage/{index.pk}/")
    # Wagtail's unsaved-changes controller takes its reference copy of the form 2 s after the
    # page loads; autosave only starts once the form differs from that copy. Typing before the
    # copy is taken makes the typed text the reference, and nothing is ever autosaved.
    page.wait_for_function(
        "() => { const form = document.querySelector('#page-edit-form');"
        " const unsaved = form && window.wagtail.app.getControllerForElementAndIdentifier("
        "form, 'w-unsaved'); return Boolean(unsaved && unsaved.initialFormData); }"
    )
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill(SUMMARY)
    # A paragraph in the body (StreamField + Draftail)
    page.locator(".c-sf-add-button").first.click()
    page.get_by_role("option", name="Texte").click()
    editor = page.locator(".Draftail-Editor [contenteditable=true]").first
    editor.click()
    editor.type("Léa rejoint la direction en janvier. Bravo !")
    page.locator("#id_summary").click()  # blur: Draftail copies the text into the form
    page.wait_for_timeout(500)

    # Wagtail 8 autosaves a new page as a draft: the create view becomes the page's edit view
    # (its address changes). Publishing before that autosave has answered would post the create
    # form a second time, and Wagtail's create view fails on the slug the autosave just took.
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"), timeout=30_000)
    # ... and the preview pane reloads after each autosave: read it once the last one is done
    page.locator('#w-autosave-indicator[data-w-autosave-state-value="saved"]').wait_for(
        state="attached", timeout=30_000
    )

    # Preview: the side panel shows the draft through the static site's own templates
    page.get_by_role("button", name="Afficher/masquer la prévisualisation").click()
    preview = None
    for _ in range(100):
        preview = next((f for f in page.frames if "/relais-preview/" in f.url), None)
        if preview is not None and preview.locator("h1").count():
            break
        page.wait_for_timeout(200)
    assert preview is not None, [f.url for f in page.frames]
    assert preview.locator("h1").inner_text() == TITLE
    assert "Léa rejoint la direction en janvier." in preview.locator(".prose").inner_text()
    assert preview.locator("aside.join a.cta").inner_text() == "Adhérer / Join"

    # Publish from the editor's action menu
    page.get_by_role("button", name="Plus d'actions").click()
    page.get_by_role("button", name="Publier").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    message = page.locator(".messages").inner_text()
    assert TITLE in message and "publiée" in message, message

    # The static site has it: home page, section page, Atom feed
    home = requests.get(f"{site}/", timeout=10).text
    assert TITLE.replace("&", "&amp;") in home
    page.goto(f"{site}/")
    assert page.get_by_role("link", name=TITLE).count() == 1
    page.goto(f"{site}/actualites/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{site}/actualites/**")
    assert page.locator("h1").inner_text() == TITLE
    assert page.get_by_role("link", name="Adhérer / Join").count() == 1
    article_url = page.url
    slug = article_url.rstrip("/").rsplit("/", 1)[1]
    feed = feedparser.parse(requests.get(f"{site}/feeds/all.atom.xml", timeout=10).content)
    assert not feed.bozo
    assert feed.entries[0].title == TITLE
    assert "Léa rejoint la direction en janvier." in feed.entries[0].content[0].value

    # A reader follows the item's Join link: the sign-up form of the CMS answers, and signs up
    page.goto(article_url)
    page.locator("aside.join").get_by_role("link", name="Adhérer / Join").click()
    page.wait_for_url(f"{admin}/adherer/**")
    page.get_by_label("Nom et prénom").fill("Paul Durand")
    page.get_by_label("Adresse e-mail").fill("paul.durand@example.org")
    page.get_by_label("Adhérer à l'association").check()
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Adhérer").click()
    page.wait_for_load_state()
    assert "Votre demande est bien enregistrée" in page.locator("main").inner_text()
    signup = Signup.objects.get()
    assert (signup.email, signup.last_item) == ("paul.durand@example.org", f"actualites/{slug}")
