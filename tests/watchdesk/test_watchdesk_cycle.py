"""The check cycle seen from Django, against a real web site on loopback: states stored from
one cycle to the next (the second made of 304s), failing sources backed off without holding
the others, entries de-duplicated per association and never coming back, scores from the
keyword rules and the sectors, private addresses refused unless the setting allows them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cms.publishing.clock import default_jobs
from cms.watch.checking import run_cycle
from cms.watch.models import KeywordRule, Source, WatchEntry
from cms.watch.tasks import watch_cycle_task
from tests.watchdesk.conftest import fixture_bytes

ORIGINAL = "presse.example/articles/enilc-master-chimie-verte"


def source(tree, web, path, kind="feed", title=""):
    return Source.objects.create(site=tree["site"], url=web.url(path), kind=kind, title=title)


def test_two_cycles_the_second_made_of_304s(two, web):
    a = two["a"]
    presse = source(a, web, "/presse.rss", title="Industrie & Technologies")
    page = source(a, web, "/classement", "page")
    now = timezone.now()
    first = {o.source_id: o for o in run_cycle(now=now)}
    assert (first[presse.pk].status, first[presse.pk].new) == ("ok", 4)
    assert (first[page.pk].status, first[page.pk].new) == ("ok", 0)  # its text is recorded
    presse.refresh_from_db()
    page.refresh_from_db()
    assert presse.etag == '"p1"' and presse.last_success == now and presse.failures == 0
    assert presse.next_check == now + timedelta(hours=1)
    assert len(presse.seen) == 4 and "12e" in page.last_text
    titles = set(WatchEntry.objects.filter(site=a["site"]).values_list("title", flat=True))
    assert "L'ENILC ouvre un master en chimie verte" in titles

    # nothing is due before the next check: nothing is asked
    asked = len(web.seen)
    assert run_cycle(now=now + timedelta(minutes=5)) == []
    assert len(web.seen) == asked

    second = run_cycle(now=now + timedelta(hours=2))
    assert [(o.status, o.not_modified, o.new) for o in second] == [("ok", True, 0)] * 2
    assert web.requests_to("/presse.rss")[-1].headers["If-None-Match"] == '"p1"'
    assert WatchEntry.objects.filter(site=a["site"]).count() == 4


def test_a_failing_source_backs_off_and_never_holds_up_the_others(two, web):
    a = two["a"]
    web.route("/panne", status=500, content_type="text/plain")
    web.route("/lent", behaviour="hang")
    broken = source(a, web, "/panne")
    hanging = source(a, web, "/lent")
    good = source(a, web, "/fede.atom")
    now = timezone.now()
    outcomes = {o.source_id: o for o in run_cycle(now=now)}
    assert outcomes[good.pk].ok and outcomes[good.pk].new == 3
    assert not outcomes[broken.pk].ok and "500" in outcomes[broken.pk].reason
    assert outcomes[hanging.pk].reason.endswith("il sera réessayé plus tard")
    broken.refresh_from_db()
    assert broken.failures == 1 and broken.next_check == now + timedelta(minutes=5)
    assert "500" in broken.last_error and broken.last_success is None
    # the next failure waits twice as long
    later = now + timedelta(minutes=6)
    web.routes.pop("/lent")
    again = {o.source_id: o for o in run_cycle(now=later)}
    assert set(again) == {broken.pk, hanging.pk}  # the healthy one is not due yet
    broken.refresh_from_db()
    assert broken.failures == 2 and broken.next_check == later + timedelta(minutes=10)


def test_entries_are_deduplicated_per_association_and_never_come_back(two, web):
    a, b = two["a"], two["b"]
    presse = source(a, web, "/presse.rss")
    source(a, web, "/fede.atom")
    source(b, web, "/fede.atom")  # B watches the federation only
    run_cycle()
    a_entries = WatchEntry.objects.filter(site=a["site"])
    # 4 from the press + 1 from the federation: its two others are the press's story again
    # (the same link written otherwise, the same title the next day)
    assert a_entries.count() == 5
    assert a_entries.filter(story_key=ORIGINAL).get().source == presse
    # B has the federation's three stories: another association's entries never hide its own
    assert WatchEntry.objects.filter(site=b["site"]).count() == 3

    skipped = a_entries.get(story_key=ORIGINAL)
    skipped.state = WatchEntry.State.SKIPPED
    skipped.save()
    # the sources forget what they gave (their memory is bounded): nothing comes back
    Source.objects.filter(site=a["site"]).update(seen=[], etag="", next_check=None)
    outcomes = run_cycle()
    assert [o.new for o in outcomes if o.site_id == a["site"].pk] == [0, 0]
    assert a_entries.count() == 5
    assert a_entries.get(story_key=ORIGINAL).state == WatchEntry.State.SKIPPED


def test_entries_are_scored_by_keyword_rules_and_sectors(two, web):
    a = two["a"]
    KeywordRule.objects.create(site=a["site"], word="chimie verte")
    KeywordRule.objects.create(site=a["site"], word="classement", kind="exclude")
    KeywordRule.objects.create(site=a["site"], word="article", language="en")  # French entries
    source(a, web, "/presse.rss")
    run_cycle()
    entries = {e.title: e for e in WatchEntry.objects.filter(site=a["site"])}
    master = entries["L'ENILC ouvre un master en chimie verte"]
    assert master.score >= 3 and master.matched[0] == "chimie verte"
    salon = entries["Salon de la plasturgie : les jeunes diplômés recrutés"]
    assert salon.matched == ["Plasturgie"] and salon.score >= 3  # the association's sector
    ranking = entries["Classement 2027 des écoles d'ingénieurs"]
    assert ranking.state == WatchEntry.State.SKIPPED and ranking.score < 0
    future = entries["Un article daté de l'an 2099"]
    assert future.language == "fr" and future.score == 0 and future.date_flagged


def test_a_watched_page_change_arrives_as_a_text_diff(two, web):
    a = two["a"]
    page = source(a, web, "/classement", "page", title="Classement")
    run_cycle()
    web.routes["/classement"].body = fixture_bytes("pages", "classement-2.html")
    web.routes["/classement"].last_modified = "Wed, 04 Nov 2026 08:00:00 GMT"
    outcome = run_cycle(now=timezone.now() + timedelta(hours=2))[0]
    assert outcome.ok and outcome.new == 1
    entry = WatchEntry.objects.get(source=page)
    assert entry.title == "Changement sur « Classement »"
    assert "[-12e-] {+8e+}" in entry.summary and entry.link == page.url
    page.refresh_from_db()
    assert "[-12e-] {+8e+}" in page.last_change


def test_private_addresses_are_refused_without_the_setting(two, web, settings):
    settings.RELAIS_WATCH_ALLOW_PRIVATE = ""
    presse = source(two["a"], web, "/presse.rss")
    outcome = run_cycle()[0]
    assert not outcome.ok and "n'est pas en https" in outcome.reason
    presse.url = presse.url.replace("http://", "https://")
    presse.next_check = None
    presse.save()
    outcome = run_cycle()[0]
    assert not outcome.ok and "adresse privée ou interne (127.0.0.1)" in outcome.reason
    assert web.seen == []  # nothing was asked of the server
    assert not WatchEntry.objects.exists()


def test_the_cycle_is_a_task_on_the_worker_s_clock(two, web):
    assert "watch_cycle" in [job.name for job in default_jobs()]
    source(two["a"], web, "/presse.rss")
    result = watch_cycle_task.enqueue()  # the immediate backend in tests
    assert result.return_value == {"checked": 1, "failed": 0, "new_entries": 4}
