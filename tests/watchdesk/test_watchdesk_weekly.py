"""The weekly press review on a schedule: at the association's weekday and hour the worker's
clock composes the draft review from the entries kept since the last one, and tells who
follows the watch (mail and dashboard); once a week, whatever the clocks; nothing composed
when nothing was kept; off by default."""

from __future__ import annotations

import datetime as dt
import itertools

from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone

from cms.content.models import PressReviewPage
from cms.publishing.clock import Clock, default_jobs
from cms.watch import weekly
from cms.watch.models import (
    AlertFollow,
    AlertPreference,
    ReviewRun,
    ReviewSchedule,
    Source,
    WatchEntry,
)
from cms.watch.tasks import watch_weekly_review_task
from tests.federation.builders import member_of

COUNTER = itertools.count()


def kept(site, title: str, kept_for: str = "review", state: str = "kept") -> WatchEntry:
    source, _ = Source.objects.get_or_create(
        site=site, url="https://presse.example/flux.rss", defaults={"title": "Industrie & Techno"}
    )
    n = next(COUNTER)
    return WatchEntry.objects.create(
        site=site,
        source=source,
        link=f"https://presse.example/articles/{n}",
        title=title,
        summary=f"Résumé de « {title} ».",
        published=timezone.now() - dt.timedelta(hours=n + 1),
        story_key=f"presse.example/articles/{n}",
        state=state,
        kept_for=kept_for if state == "kept" else "",
    )


def clock(holder: str = "worker-test") -> Clock:
    jobs = {job.name: job for job in default_jobs()}
    return Clock(holder, jobs=[jobs["watch_weekly_review"]])


def test_the_clock_composes_the_weekly_review_once_and_tells_the_followers(two, client):
    a, b = two["a"], two["b"]
    today = timezone.localtime()
    ReviewSchedule.objects.create(site=a["site"], weekday=today.weekday(), hour=0)  # due now
    master, salon = kept(a["site"], "Un master de chimie verte"), kept(a["site"], "Salon 2027")
    kept(a["site"], "Classement des écoles", kept_for="discussion")
    kept(a["site"], "Pas encore trié", state="new")
    kept(b["site"], "Gardé par B")  # B has no schedule: off by default
    AlertFollow.objects.create(user=a["user"], site=a["site"])  # alice follows A's watch
    quiet = member_of(a["association"], "editors", username="quentin")
    AlertFollow.objects.create(user=quiet, site=a["site"])
    AlertPreference.objects.create(user=quiet, daily_email=False)  # turned the mails off
    member_of(a["association"], "editors", username="nora")  # follows nothing
    AlertFollow.objects.create(user=b["user"], site=b["site"])

    assert clock().run_once() == ["watch_weekly_review"]  # immediate backend: it ran
    review = PressReviewPage.objects.get()
    assert not review.live and review.title.startswith("Revue de presse du ")
    assert review.get_parent().specific.section == "actualites"
    assert set(WatchEntry.objects.filter(review=review)) == {master, salon}
    assert review.summary == "2 articles repérés par la rédaction, chez Industrie & Techno."
    run = ReviewRun.objects.get()
    assert (run.site, run.review.pk, run.entries) == (a["site"], review.pk, 2)
    assert run.week == today.date() - dt.timedelta(days=today.weekday())
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    message = mail.outbox[0]
    assert message.subject.startswith("Veille : la revue de presse de la semaine est prête")
    assert f"http://testserver/admin/pages/{review.pk}/edit/" in message.body
    assert "2 articles gardés depuis la précédente" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # the clock again, another clock, the task run by hand: nothing more this week
    mail.outbox.clear()
    later = timezone.now() + dt.timedelta(minutes=20)
    assert clock().run_once(later) == ["watch_weekly_review"]
    assert watch_weekly_review_task.enqueue().return_value == {
        "composed": 0,
        "empty": 0,
        "mails": 0,
    }
    assert weekly.compose_week(a["site"], timezone.now()) is None  # the week's row is taken
    kept(a["site"], "Gardé après la revue")
    assert weekly.compose_due()["composed"] == 0
    assert PressReviewPage.objects.count() == 1 and mail.outbox == []

    # the dashboard of A's editors shows the review to read; B's shows nothing of it
    client.force_login(a["user"])
    panel = BeautifulSoup(client.get("/admin/").content, "html.parser").select_one(
        ".watch-review-panel"
    )
    assert panel is not None and review.title in panel.text
    assert panel.select_one(f'a[href="/admin/pages/{review.pk}/edit/"]') is not None
    client.force_login(b["user"])
    assert "watch-review-panel" not in client.get("/admin/").content.decode()

    # next week, the entries kept since the last review make the next one
    next_week = timezone.now() + dt.timedelta(days=7)
    assert weekly.compose_due(next_week) == {"composed": 1, "empty": 0, "mails": 1}
    second = PressReviewPage.objects.exclude(pk=review.pk).get()
    assert [e.title for e in WatchEntry.objects.filter(review=second)] == ["Gardé après la revue"]
    # once published, it leaves the dashboard
    review.save_revision(user=a["user"]).publish()
    assert [r.review_id for r in weekly.ready_reviews(a["user"], next_week)] == [second.pk]


def test_nothing_is_composed_when_nothing_was_kept_nor_before_its_time(two):
    a = two["a"]
    AlertFollow.objects.create(user=a["user"], site=a["site"])
    ReviewSchedule.objects.create(site=a["site"], weekday=0, hour=8)  # Mondays at 8
    monday = weekly.week_of(timezone.now()) + dt.timedelta(days=7)
    at = lambda hour: timezone.make_aware(dt.datetime.combine(monday, dt.time(hour)))  # noqa: E731

    assert weekly.compose_due(at(8)) == {"composed": 0, "empty": 1, "mails": 0}
    assert not PressReviewPage.objects.exists() and mail.outbox == []
    (run,) = ReviewRun.objects.all()
    assert run.review is None and run.week == monday
    kept(a["site"], "Gardé le lundi")
    assert weekly.compose_due(at(10))["composed"] == 0  # the week is done: next Monday's

    ReviewRun.objects.all().delete()
    assert weekly.compose_due(at(7)) == {"composed": 0, "empty": 0, "mails": 0}  # not yet
    assert weekly.compose_due(at(8))["composed"] == 1
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]

    # turned off: nothing, whatever the day
    ReviewSchedule.objects.filter(site=a["site"]).update(weekday=None)
    kept(a["site"], "Gardé ensuite")
    later = at(8) + dt.timedelta(days=7)
    assert weekly.compose_due(later) == {"composed": 0, "empty": 0, "mails": 0}


def test_the_schedule_is_set_in_the_admin_with_clear_errors(two, client):
    a, b = two["a"], two["b"]
    url = "/admin/watch/review/schedule/"
    client.force_login(a["user"])
    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert "Revue de presse programmée" in page.title.text
    assert "n'est pas programmée" in page.select_one("#review-next").text
    assert not ReviewSchedule.objects.exists()  # looking creates nothing

    response = client.post(url, {"site": a["site"].pk, "weekday": "4", "hour": "25"})
    assert response.status_code == 200
    assert "inférieure ou égale à 23" in response.content.decode()
    assert not ReviewSchedule.objects.exists()  # nothing saved
    response = client.post(url, {"site": a["site"].pk, "weekday": "4", "hour": "7"})
    assert response.status_code == 302
    schedule = ReviewSchedule.objects.get(site=a["site"])
    assert (schedule.weekday, schedule.hour) == (4, 7)
    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert "vendredi" in page.select_one("#review-next").text
    assert "07:00" in page.select_one("#review-next").text
    desk = client.get("/admin/watch/").content.decode()
    assert url in desk  # the desk links the schedule

    # another association's editor cannot see or change A's schedule
    client.force_login(b["user"])
    refused = client.post(url, {"site": a["site"].pk, "weekday": "", "hour": "8"})
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")  # Wagtail's refusal
    schedule.refresh_from_db()
    assert (schedule.weekday, schedule.hour) == (4, 7)
