"""Alerts raised by real check cycles against a web site on loopback: a word found in a new
entry of a feed, a watched page that changed (any change, or a change with a word), each rule
and entry making one alert however often the cycle runs; an entry that arrives *écartée*
raises nothing; the daily mail is a job of the worker's clock."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cms.publishing.clock import default_jobs
from cms.watch import alerts
from cms.watch.checking import run_cycle
from cms.watch.models import Alert, AlertRule, KeywordRule, Source, WatchEntry
from tests.watchdesk.conftest import fixture_bytes


def change_the_ranking(web) -> None:
    web.routes["/classement"].body = fixture_bytes("pages", "classement-2.html")
    web.routes["/classement"].last_modified = "Wed, 04 Nov 2026 08:00:00 GMT"


def test_alerts_are_raised_once_per_entry_and_rule(two, web):
    a = two["a"]
    site = a["site"]
    Source.objects.create(site=site, url=web.url("/presse.rss"), title="Presse")
    page = Source.objects.create(
        site=site, url=web.url("/classement"), kind="page", title="Palmarès"
    )
    school = AlertRule.objects.create(site=site, kind="keyword", word="ENILC")
    salon = AlertRule.objects.create(site=site, kind="keyword", word="salon")
    any_change = AlertRule.objects.create(site=site, kind="page", source=page)
    climate = AlertRule.objects.create(site=site, kind="page", source=page, word="climat")
    unrelated = AlertRule.objects.create(site=site, kind="page", source=page, word="plasturgie")
    # an exclude word hides the salon's entry: it arrives skipped and raises nothing
    KeywordRule.objects.create(site=site, word="diplômés", kind="exclude")
    # another association's rule on the same word sees nothing of A's entries
    AlertRule.objects.create(site=two["b"]["site"], kind="keyword", word="ENILC")

    now = timezone.now()
    run_cycle(now=now)
    first = list(Alert.objects.values_list("rule_id", "entry__title"))
    assert first == [(school.pk, "L'ENILC ouvre un master en chimie verte")]
    assert not Alert.objects.filter(rule=salon).exists()
    assert WatchEntry.objects.get(title__startswith="Salon").state == "skipped"

    change_the_ranking(web)
    run_cycle(now=now + timedelta(hours=2))
    change = WatchEntry.objects.get(source=page)
    assert change.is_change
    by_rule = set(Alert.objects.filter(entry=change).values_list("rule_id", flat=True))
    assert by_rule == {any_change.pk, climate.pk}  # not the one waiting for "plasturgie"
    assert not Alert.objects.filter(rule=unrelated).exists()
    assert Alert.objects.count() == 3

    # the sources forget what they gave and everything is fetched again: no alert twice
    Source.objects.update(seen=[], etag="", last_modified="", next_check=None)
    run_cycle(now=now + timedelta(hours=4))
    assert Alert.objects.count() == 3
    # raising again on the stored entries adds nothing either (one alert per entry and rule)
    assert alerts.raise_alerts(site.pk, WatchEntry.objects.filter(site=site)) == []
    assert Alert.objects.count() == 3
    assert set(Alert.objects.values_list("site_id", flat=True)) == {site.pk}


def test_a_page_rule_ignores_other_pages_and_feed_entries_naming_the_word(two, web):
    site = two["a"]["site"]
    web.route("/autre", body=fixture_bytes("pages", "classement.html"), content_type="text/html")
    watched = Source.objects.create(site=site, url=web.url("/classement"), kind="page")
    Source.objects.create(site=site, url=web.url("/autre"), kind="page")
    Source.objects.create(site=site, url=web.url("/presse.rss"))
    rule = AlertRule.objects.create(site=site, kind="page", source=watched, word="ENILC")
    keyword = AlertRule.objects.create(site=site, kind="keyword", word="climat")
    now = timezone.now()
    run_cycle(now=now)
    assert not Alert.objects.exists()  # ENILC is in a feed entry, not in the page's change
    change_the_ranking(web)
    web.routes["/autre"].body = fixture_bytes("pages", "classement-2.html")
    run_cycle(now=now + timedelta(hours=2))
    # both pages changed with "climat": the keyword rule sees both changes, the page rule none
    assert Alert.objects.filter(rule=keyword).count() == 2
    assert not Alert.objects.filter(rule=rule).exists()


def test_the_daily_mail_is_a_job_of_the_worker_s_clock():
    assert "watch_alert_digest" in [job.name for job in default_jobs()]
