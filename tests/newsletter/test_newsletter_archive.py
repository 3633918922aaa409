"""The letters sent are read on the static site too: the clock puts each one on the
association's archive page (``/lettres/``), with nothing personal and without the e-mail's
campaign in the links; switching the archive off removes the page; an editor's page cannot take
its address."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.content.models import InfoPage
from cms.federation.models import Association
from cms.newsletter import tasks
from cms.newsletter.models import Digest, NewsletterSettings, Subscriber
from cms.publishing.models import BuildRecord, SiteState
from cms.publishing.tasks import run_build
from relais.contentfile import load_page_file
from tests.cms.conftest import content_dir, site_output  # noqa: F401

from .conftest import live_item

pytestmark = pytest.mark.django_db

HOSTILE = "Gala *des* anciens [2026] <script>alert(1)</script>"


def weekly_now(site_id: int) -> None:
    now = timezone.localtime()
    NewsletterSettings.objects.filter(site_id=site_id).delete()
    NewsletterSettings.objects.create(
        site_id=site_id,
        frequency=NewsletterSettings.Frequency.WEEKLY,
        weekday=now.weekday(),
        hour=now.hour,
        per_second=50,
    )


def test_the_letters_sent_are_on_the_site(site_a, smtp, content_dir, site_output):  # noqa: F811
    site = site_a["site"]
    weekly_now(site.pk)
    Subscriber.objects.create(
        site=site, email="lecteur@example.org", source="admin", status="confirmed"
    )
    item = live_item(site_a, HOSTILE, "gala-des-anciens")
    public_url = Association.for_site(site).public_url

    result = tasks.newsletter_tick.enqueue().return_value
    (digest_id,) = result["composed"]
    assert result["archived"] == [site.pk]
    digest = Digest.objects.get(pk=digest_id)
    assert digest.status == Digest.Status.SENT and digest.archived_at is not None

    paths = Association.for_site(site).paths
    page_file = paths.content / "pages" / "lettres.md"
    page = load_page_file(page_file)
    assert page.slug == "lettres" and page.title == "Lettres d'information"
    text = page_file.read_text()
    assert "utm_" not in text
    reader = Subscriber.objects.get()
    assert reader.unsubscribe_token not in text and "lecteur@example.org" not in text

    assert run_build(site, "archive").status == BuildRecord.Status.SUCCEEDED
    html = (paths.output / "lettres" / "index.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup
    assert main.find("h2", string=digest.subject)
    link = main.find("a", string=HOSTILE)  # the title as written: not emphasis, not markup
    assert link is not None and not main.find("script") and not main.find("em", string="des")
    assert urlsplit(link["href"]).path == urlsplit(f"{public_url}/actualites/{item.slug}/").path
    assert "utm_" not in link["href"]
    assert "Le chapeau de" in main.get_text()
    # listed with the site's other pages (the footer of every page)
    home = BeautifulSoup((paths.output / "index.html").read_text(), "html.parser")
    assert any(a.get_text() == "Lettres d'information" for a in home.select("footer a"))

    # nothing new: the next minutes change nothing on the site
    version = SiteState.get(site).content_version
    again = tasks.newsletter_tick.enqueue().return_value
    assert again == {"composed": [], "resumed": [], "archived": []}
    assert SiteState.get(site).content_version == version

    # the archive switched off: the page goes
    config = NewsletterSettings.for_site(site.pk)
    config.archive_on_site = False
    config.save()
    assert tasks.update_archive_task.enqueue(site.pk).return_value is True
    assert not page_file.exists()
    assert run_build(site, "sans archive").status == BuildRecord.Status.SUCCEEDED
    assert HOSTILE not in (paths.output / "lettres" / "index.html").read_text()


def test_a_letter_that_reached_nobody_is_not_archived(site_a, smtp, content_dir, site_output):  # noqa: F811
    site = site_a["site"]
    weekly_now(site.pk)
    live_item(site_a, "Gala des anciens", "gala-des-anciens")
    result = tasks.newsletter_tick.enqueue().return_value
    assert len(result["composed"]) == 1 and result["archived"] == []
    assert not (Association.for_site(site).paths.content / "pages" / "lettres.md").exists()


def test_an_editors_page_cannot_take_the_archives_address(site_a):
    site_a["home"].add_child(instance=InfoPage(title="À propos", slug="a-propos"))  # allowed
    page = InfoPage(title="Nos lettres", slug="lettres")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "lettres" in str(error.value) and "archive des lettres" in str(error.value)
