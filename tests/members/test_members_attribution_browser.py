"""Attribution end to end, in Debian's Chromium: a link as syndication posts it, opened on the
built static site, counted by the counter; then the site's "Adhérer / Join" link followed to the
CMS sign-up form, and the form sent. One sign-up, attributed to the network and the item, first
and last touch recorded, its e-mails waiting in the queue."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Site

from cms.audience.models import PageViewCount
from cms.content.models import HomePage, InfoPage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.members.models import Signup, SignUpPage
from cms.publishing import export
from relais.sections import SECTIONS
from tests.cms.factories import make_item, root_page
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support import static_server

pytestmark = pytest.mark.browser

SLUG = "nomination-lea-martin"
ITEM = f"actualites/{SLUG}"
# A reader's browser: the counter ignores headless browsers' own user agent, as it should
READER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
SYNDICATED = urlencode(
    {
        "utm_source": "mastodon",
        "utm_medium": "social",
        "utm_campaign": "actualites",
        "utm_content": SLUG,
    }
)


def in_chromium(steps, **context_options):
    """Run ``steps(page, context)`` in Debian's Chromium, in a thread of its own: Playwright's
    sync API cannot start beside another one running in this thread (the browser tests of
    ``tests/browser`` keep theirs open for the whole session). Returns what ``steps`` returns;
    its failures are raised here."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in its thread; the database is used beside it
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    def run():
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(
                        locale="fr-FR", user_agent=READER_UA, **context_options
                    )
                    page = context.new_page()
                    page.set_default_timeout(20_000)
                    return steps(page, context)
                finally:
                    browser.close()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=300)


def tree_root() -> Page:
    """Wagtail's root page, made again if an earlier test on a live server emptied the tables
    (transactional tests flush the rows that migrations created)."""
    from django.conf import settings as django_settings
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code=django_settings.LANGUAGE_CODE)
    return root_page()


@pytest.fixture
def sites(transactional_db, live_server, settings, tmp_path):
    """The CMS on the live server, the static site built by the real pipeline and served on
    another address (another origin, as in production)."""
    from django.core.cache import cache

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see in_chromium
    cache.clear()
    cms = urlsplit(live_server.url)
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    root = tree_root()
    home = root.add_child(instance=HomePage(title="Alumni Exemple", slug="alumni"))
    Site.objects.all().delete()
    # The default site as Wagtail's first migration makes it; migrating gives it the CMS's
    # address (RELAIS_CMS_URL), as `make run` does at each start
    site = Site.objects.create(
        hostname="localhost",
        port=80,
        root_page=home,
        is_default_site=True,
        site_name="Alumni Exemple",
    )
    call_command("migrate", verbosity=0)
    site.refresh_from_db()
    assert (site.hostname, site.port) == (cms.hostname, cms.port)
    indexes = {
        key: home.add_child(instance=SectionIndexPage(title=s.label_fr, slug=key, section=key))
        for key, s in SECTIONS.items()
    }
    privacy = home.add_child(instance=InfoPage(title="Données personnelles", slug="donnees"))
    signup = home.add_child(
        instance=SignUpPage(
            title="Adhérer",
            slug="adherer",
            privacy_page=privacy,
            to_address="secretariat@example.org",
        )
    )
    config = AssociationSettings.for_site(site)
    config.name, config.signup_page = "Alumni Exemple", signup
    config.save()
    settings.RELAIS_CONTENT_DIR.mkdir(parents=True, exist_ok=True)
    with static_server(settings.RELAIS_SITE_OUTPUT) as site_url:
        settings.RELAIS_SITE_URL = site_url
        export.export_site_config(site)
        make_item({"indexes": indexes}, slug=SLUG)  # published: exported and built
        assert (settings.RELAIS_SITE_OUTPUT / "actualites" / SLUG / "index.html").is_file()
        # From here on the project's tasks wait in the database queue, as with a worker
        settings.TASKS = {
            **settings.TASKS,
            "relais": {
                "BACKEND": "django_tasks_db.DatabaseBackend",
                "QUEUES": settings.RELAIS_QUEUES,
            },
        }
        yield {"cms": live_server.url, "site": site_url}
        cache.clear()


def views_of(path: str, network: str, wait: float = 10.0) -> int:
    deadline = time.monotonic() + wait
    while True:
        views = sum(
            PageViewCount.objects.filter(
                day=timezone.localdate(), path=path, network=network
            ).values_list("views", flat=True)
        )
        if views or time.monotonic() > deadline:
            return views
        time.sleep(0.1)


def sign_up(page, name: str, email: str) -> None:
    page.get_by_label("Nom et prénom").fill(name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Promotion").fill("2012")
    page.get_by_label("Adhérer à l'association").check()
    page.get_by_label("Recevoir les nouvelles de l'association").check()
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Adhérer").click()
    page.wait_for_load_state()


def test_syndicated_link_to_sign_up_is_attributed_to_network_and_item(sites):
    from django_tasks_db.models import DBTaskResult

    def steps(page, context):
        # 1. The link posted on Mastodon, opened on the static site
        page.goto(f"{sites['site']}/actualites/{SLUG}/?{SYNDICATED}")
        assert page.locator("h1").inner_text() == "Nomination de Léa Martin"
        assert views_of(f"/actualites/{SLUG}/", "mastodon") == 1
        row = PageViewCount.objects.get(path=f"/actualites/{SLUG}/")
        assert (row.medium, row.campaign, row.channel) == ("social", "actualites", "pixel")
        assert context.cookies() == []  # reading the site leaves no cookie at all

        # 2. The item's "Adhérer / Join" link, to the sign-up form on the CMS
        page.locator("aside.join").get_by_role("link", name="Adhérer / Join").click()
        page.wait_for_url(f"{sites['cms']}/adherer/**")
        assert f"item={ITEM.replace('/', '%2F')}" in page.url and "utm_source=mastodon" in page.url
        consent = page.locator("#id_consent")
        assert not consent.is_checked()
        assert page.locator("label[for=id_consent] a").get_attribute("href") == (
            f"{sites['site']}/donnees/"
        )
        assert {c["name"] for c in context.cookies()} == {"csrftoken", "relais_adhesion_origine"}

        # 3. The form sent
        sign_up(page, "Léa Martin", "lea.martin@example.org")
        assert "Votre demande est bien enregistrée" in page.locator("main").inner_text()

    in_chromium(steps)

    signup = Signup.objects.get()
    assert (signup.name, signup.email, signup.class_year) == (
        "Léa Martin",
        "lea.martin@example.org",
        2012,
    )
    for touch in ("first", "last"):
        assert getattr(signup, f"{touch}_network") == "mastodon"
        assert getattr(signup, f"{touch}_item") == ITEM
        assert getattr(signup, f"{touch}_campaign") == "actualites"
        assert getattr(signup, f"{touch}_content") == SLUG
        assert getattr(signup, f"{touch}_medium") == "social"
        assert getattr(signup, f"{touch}_day") == timezone.localdate()
    # The e-mails wait for the worker: none was sent during the request
    queued = DBTaskResult.objects.filter(queue_name="maintenance", status="READY")
    assert sorted(t.task_path.rsplit(".", 1)[1] for t in queued) == [
        "notify_association",
        "send_confirmation",  # of the newsletter: "Recevoir les nouvelles" was ticked
        "send_signup_acknowledgement",
    ]
    assert all(
        t.args_kwargs["args"] == [signup.pk]
        for t in queued
        if not t.task_path.endswith("send_confirmation")
    )
    assert mail.outbox == []


def test_first_touch_survives_a_later_visit_from_another_network(sites):
    def steps(page, context):
        page.goto(f"{sites['site']}/actualites/{SLUG}/?{SYNDICATED}")
        page.locator("aside.join").get_by_role("link", name="Adhérer / Join").click()
        page.wait_for_url(f"{sites['cms']}/adherer/**")
        # the person leaves, and comes back later through a LinkedIn post
        later = urlencode(
            {
                "utm_source": "linkedin",
                "utm_medium": "social",
                "utm_campaign": "actualites",
                "utm_content": SLUG,
            }
        )
        page.goto(f"{sites['site']}/actualites/{SLUG}/?{later}")
        assert views_of(f"/actualites/{SLUG}/", "linkedin") == 1
        page.locator("aside.join").get_by_role("link", name="Adhérer / Join").click()
        page.wait_for_url(f"{sites['cms']}/adherer/**")
        sign_up(page, "Paul Durand", "paul@example.org")
        assert "Votre demande est bien enregistrée" in page.locator("main").inner_text()
        assert "relais_adhesion_origine" not in {c["name"] for c in context.cookies()}

    in_chromium(steps)
    signup = Signup.objects.get()
    assert (signup.first_network, signup.last_network) == ("mastodon", "linkedin")
    assert signup.first_item == signup.last_item == ITEM


def test_without_javascript_the_arrival_is_counted_and_the_item_attributed(sites):
    def steps(page, context):
        page.goto(f"{sites['site']}/actualites/{SLUG}/?{SYNDICATED}")
        # the <noscript> image: its referrer carries the page address with its utm_*
        assert views_of(f"/actualites/{SLUG}/", "mastodon") == 1
        page.locator("aside.join").get_by_role("link", name="Adhérer / Join").click()
        page.wait_for_url(f"{sites['cms']}/adherer/**")
        sign_up(page, "Zoé Petit", "zoe@example.org")
        assert "Votre demande est bien enregistrée" in page.locator("main").inner_text()

    in_chromium(steps, java_script_enabled=False)
    signup = Signup.objects.get()
    # Without script the Join link carries the item only: the network is not known
    assert signup.last_item == signup.first_item == ITEM
    assert signup.last_network == "" and signup.last_campaign == ""
