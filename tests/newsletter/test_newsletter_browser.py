"""The issue's loop in Debian's Chromium: a reader subscribes with the footer form of the built
static site (served on its own address), confirms through the link the local SMTP server
received, receives the next digest, follows its link to the site (the visit counted with
``utm_source=newsletter``) and unsubscribes from the digest's link."""

from __future__ import annotations

import os
import re
import time

import pytest
from django.utils import timezone
from wagtail.models import Site

from cms.audience.models import PageViewCount
from cms.newsletter import tasks
from cms.newsletter.models import NewsletterSettings, Subscriber
from cms.publishing import export
from tests.cms.factories import make_item
from tests.federation.builders import association_site
from tests.members.test_members_attribution_browser import in_chromium
from tests.support import static_server

pytestmark = pytest.mark.browser

SLUG = "gala-des-anciens"
READER = "lecteur@example.org"


@pytest.fixture
def letter_site(transactional_db, live_server, settings, tmp_path, smtp):
    from django.core.cache import cache

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see in_chromium
    cache.clear()
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    Site.objects.all().delete()
    tree = association_site("Amicale A", "localhost", default=True)
    settings.RELAIS_CONTENT_DIR.mkdir(parents=True, exist_ok=True)
    now = timezone.localtime()
    NewsletterSettings.objects.create(
        site=tree["site"], frequency="weekly", weekday=now.weekday(), hour=now.hour, per_second=50
    )
    with static_server(settings.RELAIS_SITE_OUTPUT) as site_url:
        settings.RELAIS_SITE_URL = site_url
        export.export_site_config(tree["site"])
        make_item(tree, title="Gala des anciens", slug=SLUG)  # published: exported and built
        assert (settings.RELAIS_SITE_OUTPUT / "actualites" / SLUG / "index.html").is_file()
        yield {"cms": live_server.url, "site": site_url, "smtp": smtp, "tree": tree}
        cache.clear()


def newsletter_views(wait: float = 10.0) -> int:
    deadline = time.monotonic() + wait
    while True:
        views = sum(
            PageViewCount.objects.filter(
                path=f"/actualites/{SLUG}/", source="newsletter"
            ).values_list("views", flat=True)
        )
        if views or time.monotonic() > deadline:
            return views
        time.sleep(0.1)


def test_subscribe_on_the_site_confirm_read_and_leave(letter_site):
    smtp, cms, site = letter_site["smtp"], letter_site["cms"], letter_site["site"]

    def subscribe(page, context):
        page.goto(f"{site}/")
        footer = page.locator("footer")
        footer.get_by_label("Votre adresse e-mail").fill(READER)
        footer.get_by_role("button", name="S'abonner").click()
        page.wait_for_url(f"{cms}/n/**")
        assert "Vérifiez votre boîte e-mail" in page.locator("h1").inner_text()

    in_chromium(subscribe)
    deadline = time.monotonic() + 10
    while not smtp.to(READER) and time.monotonic() < deadline:
        time.sleep(0.1)
    (confirmation,) = smtp.to(READER)
    confirm_url = re.search(r"http://\S+/n/confirmer/\S+/", confirmation.get_content()).group(0)

    def confirm(page, context):
        page.goto(confirm_url)
        page.get_by_role("button", name="Confirmer").click()
        page.wait_for_load_state()
        assert "Abonnement confirmé" in page.locator("h1").inner_text()

    in_chromium(confirm)
    assert Subscriber.objects.get(email=READER).status == "confirmed"

    # The clock's job composes and sends the digest of the week
    result = tasks.newsletter_tick.enqueue().return_value
    assert len(result["composed"]) == 1
    letter = smtp.to(READER)[-1]
    html = letter.get_body(preferencelist=("html",)).get_content()
    link = re.search(rf'href="({re.escape(site)}/actualites/{SLUG}/\?[^"]+)"', html).group(1)
    link = link.replace("&amp;", "&")
    assert "utm_source=newsletter" in link
    leave = re.search(r"<(http[^>]+)>", letter["List-Unsubscribe"]).group(1)

    def read_and_leave(page, context):
        page.goto(link)
        assert page.locator("h1").inner_text() == "Gala des anciens"
        assert newsletter_views() == 1
        page.goto(leave)
        page.get_by_role("button", name="Me désabonner").click()
        page.wait_for_load_state()
        assert "Désabonnement enregistré" in page.locator("h1").inner_text()

    in_chromium(read_and_leave)
    assert Subscriber.objects.get(email=READER).status == "unsubscribed"
