"""Ways in and their protections: a sign-up that asked for the news becomes a pending
subscriber (confirmation mail, nothing else), the site's form is rate-limited and has a
honeypot and answers the same for a known address, a letter switched off has no form, an
erasure on request deletes the subscription; and the schedule of the clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from cms.federation.models import Association
from cms.members import erasure
from cms.members.models import Signup
from cms.newsletter import schedule, subscriptions, tasks
from cms.newsletter.models import Digest, NewsletterSettings, Subscriber
from cms.publishing.clock import Clock, default_jobs

from .conftest import live_item

pytestmark = pytest.mark.django_db


def turn_on(site) -> NewsletterSettings:
    config = NewsletterSettings.for_site(site.pk)
    config.frequency = NewsletterSettings.Frequency.WEEKLY
    config.save()
    return config


def a_signup(tree, wants_news: bool, email: str = "lea@example.org") -> Signup:
    return Signup.objects.create(
        page=tree["signup"],
        name="Léa Martin",
        email=email,
        wants_news=wants_news,
        consent_text="Oui",
        consented_at=timezone.now(),
    )


def test_a_sign_up_asking_for_the_news_is_asked_to_confirm(
    site_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a_signup(site_a, wants_news=False, email="non@example.org")
        a_signup(site_a, wants_news=True)
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.source, subscriber.status) == (
        "lea@example.org",
        "signup",
        "pending",
    )
    assert subscriber.site == site_a["site"]
    (confirmation,) = mail.outbox
    assert confirmation.to == ["lea@example.org"]
    assert f"/n/confirmer/{subscriber.confirm_token}/" in confirmation.body
    # Erased on request: the subscription goes too
    done = erasure.erase("LEA@example.org", site_a["site"])
    assert done.other == 1 and not Subscriber.objects.exists()


def test_tokens_are_random_and_distinct(site_a):
    rows = [
        subscriptions.subscribe(site_a["site"].pk, f"p{i}@example.org", source="site")
        for i in range(3)
    ]
    tokens = {t for s in rows for t in (s.confirm_token, s.unsubscribe_token)}
    assert len(tokens) == 6 and all(len(t) >= 43 for t in tokens)


def test_the_site_form(site_a, client, settings, django_capture_on_commit_callbacks):
    settings.RELAIS_NEWSLETTER_RATE_LIMITS = {"ip": (3, 3600), "email": (2, 86400)}
    site = site_a["site"]
    url = f"/n/{Association.for_site(site).slug}/abonnement/"
    assert client.get(url).status_code == 404  # the letter is off: no form
    turn_on(site)
    page = client.get(url)
    assert page.status_code == 200 and 'name="email"' in page.content.decode()

    robot = client.post(url, {"email": "r@example.org", "site_web": "x"}, REMOTE_ADDR="10.0.0.1")
    assert robot.status_code == 400 and not Subscriber.objects.exists()
    bad = client.post(url, {"email": "pas-une-adresse"}, REMOTE_ADDR="10.0.0.2")
    assert bad.status_code == 400

    Subscriber.objects.create(
        site=site, email="deja@example.org", source="site", status="confirmed"
    )
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "deja@example.org"}, REMOTE_ADDR="10.0.0.3")
        new = client.post(url, {"email": "neuf@example.org"}, REMOTE_ADDR="10.0.0.4")
    # The same answer: the page tells nobody who is subscribed
    assert known.status_code == new.status_code == 200
    assert known.content.decode().replace("deja", "X") == new.content.decode().replace("neuf", "X")
    assert [m.to for m in mail.outbox] == [["neuf@example.org"]]  # confirmed: no new mail

    for _ in range(3):
        assert (
            client.post(url, {"email": "x@example.org"}, REMOTE_ADDR="10.0.0.5").status_code == 200
        )
    flood = client.post(url, {"email": "x@example.org"}, REMOTE_ADDR="10.0.0.5")
    assert flood.status_code == 429 and "Réessayez dans une heure" in flood.content.decode()


def test_unknown_association_has_no_form(db, client):
    assert client.get("/n/inconnue/abonnement/").status_code == 404


PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("frequency", "now", "last", "due"),
    [
        # Thursday 9:00 weekly: due on Thursday 3 Dec 2026 at 9:10, once
        ("weekly", dt.datetime(2026, 12, 3, 9, 10, tzinfo=PARIS), None, True),
        (
            "weekly",
            dt.datetime(2026, 12, 3, 9, 10, tzinfo=PARIS),
            dt.datetime(2026, 12, 3, 9, 1, tzinfo=PARIS),
            False,
        ),
        ("weekly", dt.datetime(2026, 12, 3, 8, 59, tzinfo=PARIS), None, False),
        # switched on days after its slot: the slot of last week is not sent
        ("weekly", dt.datetime(2026, 12, 6, 12, 0, tzinfo=PARIS), None, False),
        (
            "weekly",
            dt.datetime(2026, 12, 10, 9, 0, tzinfo=PARIS),
            dt.datetime(2026, 12, 3, 9, 0, tzinfo=PARIS),
            True,
        ),
        # the 1st of the month at 9:00
        (
            "monthly",
            dt.datetime(2026, 12, 1, 9, 30, tzinfo=PARIS),
            dt.datetime(2026, 11, 1, 9, 0, tzinfo=PARIS),
            True,
        ),
        (
            "monthly",
            dt.datetime(2026, 12, 15, 9, 30, tzinfo=PARIS),
            dt.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS),
            False,
        ),
        ("off", dt.datetime(2026, 12, 3, 9, 10, tzinfo=PARIS), None, False),
    ],
)
def test_when_a_digest_is_due(frequency, now, last, due):
    config = NewsletterSettings(
        frequency=frequency, weekday=3, day_of_month=1, hour=9, last_run_at=last
    )
    with timezone.override(PARIS):
        assert schedule.is_due(config, now) is due


def test_the_clock_composes_once_per_slot_and_only_with_news(site_a):
    site = site_a["site"]
    config = turn_on(site)
    now = timezone.localtime()
    NewsletterSettings.objects.filter(pk=config.pk).update(weekday=now.weekday(), hour=now.hour)
    assert tasks.compose_due() == []  # nothing published: no digest (and the slot is used)
    assert not Digest.objects.exists()
    live_item(site_a, "Gala", "gala")
    NewsletterSettings.objects.filter(pk=config.pk).update(last_run_at=None)
    made = tasks.compose_due()
    assert len(made) == 1
    assert tasks.compose_due() == []  # the same slot again: nothing


def test_the_worker_clock_runs_the_newsletter_every_minute(site_a):
    live_item(site_a, "Gala", "gala")
    config = turn_on(site_a["site"])
    now = timezone.localtime()
    NewsletterSettings.objects.filter(pk=config.pk).update(weekday=now.weekday(), hour=now.hour)
    jobs = [job for job in default_jobs() if job.name == "newsletter_tick"]
    assert len(jobs) == 1
    clock = Clock("test-worker", jobs=jobs, tick=1, lease=60)
    assert clock.run_once() == ["newsletter_tick"]  # immediate backend: it ran
    assert Digest.objects.filter(site=site_a["site"]).count() == 1
    assert clock.run_once(timezone.now() + dt.timedelta(seconds=20)) == []  # not due yet
