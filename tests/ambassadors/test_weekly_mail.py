"""The weekly e-mail: to the active ambassadors who asked for it, once a week, with this week's
items carrying their reference, their page and a one-click unsubscribe that works."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from cms.ambassadors import mail as weekly
from cms.ambassadors.models import Ambassador
from cms.ambassadors.tasks import weekly_mail_task
from cms.publishing.clock import default_jobs


def test_the_mail_says_what_to_share_this_week(world):
    ambassador = world["ambassador"]
    Ambassador.objects.create(site=world["a"]["site"], name="Sans e-mail", email="n@example.org")
    Ambassador.objects.create(
        site=world["b"]["site"],
        name="Bea B",
        email="bea@example.org",
        weekly_email=True,
        active=False,
    )
    mail.outbox.clear()
    assert weekly.send_weekly() == 1
    (message,) = mail.outbox
    assert message.to == ["ines@example.org"]
    assert message.subject == "À partager cette semaine — Alumni A"
    body = message.body
    ref = ambassador.reference
    for slug in ("gala-annuel", "nomination"):
        assert (
            f"https://alumni.example.org/actualites/{slug}/?utm_source=email&utm_medium=ambassador"
            f"&utm_campaign=ambassadeurs&utm_content={ref}"
        ) in body
    assert "Rentrée de B" not in body
    page = f"https://cms.example.org/ambassadeurs/{ambassador.token}/"
    unsubscribe = f"{page}desabonnement/"
    assert page in body and unsubscribe in body
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_once_a_week_only(world):
    mail.outbox.clear()
    now = timezone.now()
    assert weekly.send_weekly(now) == 1
    assert weekly.send_weekly(now + dt.timedelta(hours=1)) == 0
    assert weekly.send_weekly(now + dt.timedelta(days=6)) == 0
    assert weekly.send_weekly(now + dt.timedelta(days=7)) == 1
    assert len(mail.outbox) == 2
    # the items of the week: older items only when there is nothing new
    later = weekly.weekly_message(world["ambassador"], now + dt.timedelta(days=30))
    assert "Gala annuel de A" in later.body


def test_one_click_unsubscribe(world, client):
    ambassador = world["ambassador"]
    url = f"/ambassadeurs/{ambassador.token}/desabonnement/"
    response = client.get(url)  # a mail server's link scanner opens it: nothing changes
    assert response.status_code == 200 and b"<form" in response.content
    ambassador.refresh_from_db()
    assert ambassador.weekly_email
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # RFC 8058, no CSRF token
    assert response.status_code == 200
    assert "Vous ne recevrez plus" in response.content.decode()
    ambassador.refresh_from_db()
    assert not ambassador.weekly_email
    mail.outbox.clear()
    assert weekly.send_weekly() == 0 and mail.outbox == []
    # the page stays open
    assert client.get(f"/ambassadeurs/{ambassador.token}/").status_code == 200
    assert client.post("/ambassadeurs/pas-la-cle/desabonnement/").status_code == 404


def test_the_worker_clock_sends_them(world):
    job = next(j for j in default_jobs() if j.name == "ambassadors_weekly_mail")
    assert job.due(timezone.now(), None)
    mail.outbox.clear()
    job.enqueue()  # enqueues the task; the test settings run it at once
    assert [m.to for m in mail.outbox] == [["ines@example.org"]]
    assert weekly_mail_task.call() == 0  # already sent this week
