"""The delay from publishing in the CMS to the site being live is measured from the editor's
publish action, and only when there is one: not from a publication date set in the past (the
demo's items, imported ones), not again when the same version is exported a second time. The
admin shows it as a duration people read ("0,4 s", "3 min")."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import timezone, translation

from cms.core.i18n import readable_duration
from cms.publishing.models import BuildRecord, ExportRecord
from cms.publishing.tasks import export_page_task
from tests.cms.factories import make_item


def test_a_publication_is_timed_from_the_publish_action(
    site_tree, site_output, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree)
    record = ExportRecord.objects.get(page_id=page.pk)
    page.refresh_from_db()
    assert record.publish_requested_at == page.last_published_at
    assert before <= record.publish_requested_at <= record.live_at <= timezone.now()
    assert record.publish_to_live_seconds == (
        (record.live_at - record.publish_requested_at).total_seconds()
    )


def test_a_publication_date_set_in_the_past_gives_no_delay(
    site_tree, site_output, django_capture_on_commit_callbacks, client, admin_user
):
    # as the demo and an import do: published now, then dated back two months
    page = make_item(site_tree)
    long_ago = timezone.now() - dt.timedelta(days=53)
    type(page).objects.filter(pk=page.pk).update(
        first_published_at=long_ago, last_published_at=long_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        export_page_task.call(page.pk)
    record = ExportRecord.objects.get(page_id=page.pk)
    assert record.live_at is not None and record.published_at == long_ago
    assert record.publish_requested_at is None and record.publish_to_live_seconds is None
    client.force_login(admin_user)
    soup = BeautifulSoup(client.get("/admin/site/").content, "html.parser")
    exports = soup.select("table.listing")[1]  # "Derniers exports", after the builds
    row = next(r for r in exports.select("tbody tr") if "Nomination" in r.get_text())
    assert row.find_all("td")[-1].get_text(strip=True) == ""  # "Délai": nothing to show


def test_exporting_the_same_version_again_measures_nothing_new(
    site_tree, site_output, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree)
    first = ExportRecord.objects.get(page_id=page.pk)
    assert first.publish_to_live_seconds is not None
    # a week later, everything is exported again (``export_content``): not a publication
    with django_capture_on_commit_callbacks(execute=True):
        call_command("export_content", build=True, stdout=None)
    again = ExportRecord.objects.get(page_id=page.pk)
    assert again.live_at > first.live_at and again.revision_id == first.revision_id
    assert again.publish_requested_at is None and again.publish_to_live_seconds is None


def test_an_export_retried_before_the_build_keeps_the_publish_moment(
    site_tree, site_output, settings
):
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []},
    }
    page = make_item(site_tree)
    export_page_task.call(page.pk)
    moment = ExportRecord.objects.get(page_id=page.pk).publish_requested_at
    assert moment is not None
    export_page_task.call(page.pk)  # the same task run twice: the site is not live yet
    assert ExportRecord.objects.get(page_id=page.pk).publish_requested_at == moment


def test_durations_read_as_people_say_them():
    with translation.override("fr"):
        said = [readable_duration(s) for s in (0.36, 4.2, 12.4, 185, 7500, 3 * 86400)]
    assert [s.replace("\xa0", " ").replace("\u202f", " ") for s in said] == [
        "0,4 s",
        "4,2 s",
        "12 s",
        "3 min",
        "2 h",
        "3 j",
    ]


def test_the_site_page_shows_delays_and_build_times_as_durations(
    site_tree, site_output, django_capture_on_commit_callbacks, client, admin_user
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree)
    record = ExportRecord.objects.get(page_id=page.pk)
    ExportRecord.objects.filter(pk=record.pk).update(
        publish_requested_at=record.live_at - dt.timedelta(minutes=3, seconds=4)
    )
    client.force_login(admin_user)
    soup = BeautifulSoup(client.get("/admin/site/").content, "html.parser")
    exports = soup.select("table.listing")[1]  # "Derniers exports", after the builds
    row = next(r for r in exports.select("tbody tr") if "Nomination" in r.get_text())
    assert row.find_all("td")[-1].get_text(strip=True).replace("\xa0", " ") == "3 min"
    builds = soup.select("table.listing")[0]
    took = builds.select("tbody tr")[0].find_all("td")[4].get_text(strip=True)  # "Durée"
    with translation.override("fr"):
        assert took == readable_duration(BuildRecord.objects.first().seconds)
