"""The publish path end to end inside the CMS: publish -> export -> build -> live, and what the
admin shows when something fails."""

from __future__ import annotations

import datetime as dt

import feedparser
from bs4 import BeautifulSoup
from django.test import override_settings

from cms.publishing.models import BuildRecord, ExportRecord, SiteState
from cms.publishing.signals import items_live
from cms.publishing.tasks import build_site_task, run_build
from relais.contentfile import load_file
from tests.cms.factories import make_item
from tests.support import write_item


def test_publish_makes_the_item_live_and_announces_it(
    site_tree, site_output, django_capture_on_commit_callbacks
):
    announced = []

    def receiver(sender, page_ids, build, **kwargs):
        announced.append((page_ids, build.status))

    items_live.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            page = make_item(site_tree)
    finally:
        items_live.disconnect(receiver)
    html = (site_output / "actualites" / "nomination-lea-martin" / "index.html").read_text()
    assert "<h1>Nomination de Léa Martin</h1>" in html
    home = BeautifulSoup((site_output / "index.html").read_text(), "html.parser")
    assert "Nomination de Léa Martin" in home.select_one(".cards").get_text()
    record = ExportRecord.objects.get(page_id=page.pk)
    assert record.live_at and record.first_live_at == record.live_at
    # Publish-to-live runs from the page's own publication to the end of the build that put it
    # live (a successful one).
    page.refresh_from_db()
    BuildRecord.objects.get(finished_at=record.live_at, status=BuildRecord.Status.SUCCEEDED)
    assert record.published_at == page.last_published_at <= record.live_at
    elapsed = record.live_at - record.published_at
    assert record.publish_to_live_seconds == elapsed.total_seconds()
    assert announced == [([page.pk], BuildRecord.Status.SUCCEEDED)]
    state = SiteState.get(site_tree["site"])
    assert state.built_version == state.content_version


def test_second_build_request_is_skipped_when_nothing_changed(
    site_tree, site_output, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree)
    builds = BuildRecord.objects.count()
    assert build_site_task.call(site_tree["site"].pk, "again") is None
    assert BuildRecord.objects.count() == builds
    assert build_site_task.call(site_tree["site"].pk, "forced", force=True) is not None
    assert BuildRecord.objects.count() == builds + 1


def test_failed_build_keeps_the_live_site_and_shows_the_error_in_the_admin(
    site_tree, site_output, content_dir, admin_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree)
    live = site_output.resolve()
    write_item(content_dir, "actualites", "main-cassee", "title: 'oups\ndate: 2026-01-01")
    record = run_build(site_tree["site"], "test")
    assert record.status == BuildRecord.Status.FAILED
    assert "actualites/main-cassee.md" in record.errors
    assert site_output.resolve() == live
    client.force_login(admin_user)
    dashboard = client.get("/admin/").content.decode()
    assert "La dernière construction a échoué" in dashboard
    status = client.get("/admin/site/").content.decode()
    assert "main-cassee.md" in status and "le site en ligne n'a pas changé" in status


def test_site_settings_are_exported_for_the_static_site(
    site_tree, content_dir, site_output, django_capture_on_commit_callbacks
):
    from cms.core.models import AssociationSettings

    config = AssociationSettings.for_site(site_tree["site"])
    with django_capture_on_commit_callbacks(execute=True):
        config.tagline = "Le réseau des ingénieurs"
        config.mastodon_url = "https://mastodon.example/@alumni"
        config.save()
    text = (content_dir / "site.yaml").read_text()
    assert "tagline: Le réseau des ingénieurs" in text
    assert "Mastodon: https://mastodon.example/@alumni" in text
    assert "signup_url: http://127.0.0.1:8000/adherer/" in text
    home = (site_output / "index.html").read_text()
    assert "Le réseau des ingénieurs" in home


@override_settings(RELAIS_SITE_URL="https://alumni.example.org")
def test_canonical_urls_follow_the_configured_site_url(
    site_tree, site_output, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree)
    html = (site_output / "actualites" / "nomination-lea-martin" / "index.html").read_text()
    assert (
        '<link rel="canonical" href="https://alumni.example.org/actualites/nomination-lea-martin/">'
    ) in html


def test_a_correction_moves_the_items_updated_date_in_the_feed(
    site_tree, site_output, content_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree)
    page.refresh_from_db()
    first = load_file(content_dir / "actualites" / "nomination-lea-martin.md")
    assert first.modified is None  # a first publication is not a correction

    # A typo fixed a few seconds later, as editors do right after publishing
    page.summary = "Léa Martin (promo 2012) prend la direction technique du groupe."
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    page.refresh_from_db()
    assert page.last_published_at > page.first_published_at
    corrected = load_file(content_dir / "actualites" / "nomination-lea-martin.md")
    assert corrected.modified == page.last_published_at
    assert corrected.date == page.first_published_at
    feed = feedparser.parse((site_output / "feeds" / "all.atom.xml").read_bytes())
    entry = feed.entries[0]
    assert entry.summary.startswith("Léa Martin (promo 2012) prend la direction technique du")
    published = dt.datetime.fromisoformat(entry.published)
    updated = dt.datetime.fromisoformat(entry.updated)
    assert published == page.first_published_at
    assert updated == page.last_published_at and updated > published
