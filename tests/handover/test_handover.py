"""Holidays and turnover: each network account's owner and backup, its token's expiry
forecast, reminders to both before it goes dark (once per threshold), and the "Passation" page
of each association."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone

from cms.handover.forecast import forecast, send_reminders
from cms.handover.models import AccountCover
from cms.publishing.clock import default_jobs
from cms.social.models import SocialAccount
from tests.federation.builders import member_of

URL = "/admin/passation/"


def account(site, name: str, owner=None, days: float | None = None, **fields) -> SocialAccount:
    made = SocialAccount(
        site=site,
        network="mastodon",
        display_name=name,
        handle=f"@{name.lower()}@example.org",
        remote_id=f"id-{name.lower()}",
        owner=owner,
        token_expires_at=None if days is None else timezone.now() + dt.timedelta(days=days),
        **fields,
    )
    made.set_credentials({"access_token": "jeton-secret"})
    made.save()
    return made


@pytest.fixture
def people(two_sites):
    a = two_sites["a"]["association"]
    return {
        "owner": member_of(a, "administrators", username="olga"),
        "backup": member_of(a, "editors", username="basile"),
    }


def test_owner_and_backup_are_reminded_once_per_threshold(two_sites, people):
    site = two_sites["a"]["site"]
    acc = account(site, "Alpha", owner=people["owner"], days=10)
    AccountCover.objects.create(account=acc, backup=people["backup"])
    account(site, "Lointain", owner=people["owner"], days=400)  # not yet
    account(site, "Eteint", owner=people["owner"], days=2, active=False)  # posts nothing
    mail.outbox.clear()
    now = timezone.now()
    assert send_reminders(now) == 1
    (message,) = mail.outbox
    assert sorted(message.to) == ["basile@example.org", "olga@example.org"]
    assert "s'arrête dans 10 jours" in message.subject
    assert "Reconnecter" in message.body and "jeton-secret" not in message.body
    assert send_reminders(now + dt.timedelta(hours=1)) == 0  # once
    assert send_reminders(now + dt.timedelta(days=7, hours=1)) == 1  # 3 days left: again
    assert "s'arrête dans 3 jours" in mail.outbox[-1].subject
    assert send_reminders(now + dt.timedelta(days=8)) == 0
    # the token renewed for 60 days: nothing until 14 days before the new expiry
    SocialAccount.objects.filter(pk=acc.pk).update(token_expires_at=now + dt.timedelta(days=60))
    assert send_reminders(now + dt.timedelta(days=8)) == 0
    assert send_reminders(now + dt.timedelta(days=47)) == 1
    assert len(mail.outbox) == 3


def test_without_owner_or_backup_the_administrators_are_told(two_sites, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    account(two_sites["a"]["site"], "Orphelin", days=1)
    mail.outbox.clear()
    assert send_reminders() == 1
    assert mail.outbox[0].to == ["root@example.org"]


def test_the_forecast_lists_the_soonest_first(two_sites):
    site = two_sites["a"]["site"]
    later, never, soon = account(site, "B", days=20), account(site, "C"), account(site, "A", days=2)
    gone = account(site, "D", days=-1)
    rows = forecast(site)
    assert [r.account for r in rows] == [gone, soon, later, never]
    assert [r.days_left for r in rows] == [-1, 2, 20, None]
    assert rows[0].dark and rows[1].soon and not rows[2].soon


def test_the_passation_page_and_choosing_a_backup(two_sites, people, client):
    site = two_sites["a"]["site"]
    acc = account(site, "Alpha", owner=people["owner"], days=5)
    client.force_login(people["owner"])
    html = client.get(URL).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    row = soup.select_one(f'tr[data-account="{acc.pk}"]')
    assert "olga" in row.select_one(".owner").text
    assert "dans 5 jours" in " ".join(row.select_one(".expiry").text.split())
    jobs = soup.select_one("#jobs").text
    assert "ambassadors_weekly_mail" in jobs and "handover_expiry_reminders" in jobs
    assert "publish_scheduled" in jobs
    response = client.post(
        URL, {"site": site.pk, "account": acc.pk, f"a{acc.pk}-backup": people["backup"].pk}
    )
    assert response.status_code == 302
    assert AccountCover.objects.get(account=acc).backup == people["backup"]
    # someone who is not of the association cannot be the backup
    stranger = member_of(two_sites["b"]["association"], "editors", username="etranger")
    client.post(URL, {"site": site.pk, "account": acc.pk, f"a{acc.pk}-backup": stranger.pk})
    assert AccountCover.objects.get(account=acc).backup == people["backup"]


def test_b_sees_and_changes_nothing_of_a(two_sites, people, b_user, client):
    acc = account(two_sites["a"]["site"], "Zorglub", owner=people["owner"], days=5)
    AccountCover.objects.create(account=acc, backup=people["backup"])
    mine = account(two_sites["b"]["site"], "Bravo", days=30)
    client.force_login(b_user)
    html = client.get(URL).content.decode()
    assert "Bravo" in html and "Zorglub" not in html and "olga" not in html
    assert client.get(URL, {"site": two_sites["a"]["site"].pk}).status_code in (302, 403)
    response = client.post(
        URL, {"account": acc.pk, f"a{acc.pk}-backup": b_user.pk, "site": mine.site_id}
    )
    assert response.status_code == 404
    assert AccountCover.objects.get(account=acc).backup == people["backup"]


def test_an_editor_has_no_passation_page(two_sites, people, client):
    client.force_login(people["backup"])  # an editor, not an administrator
    response = client.get(URL)
    assert response.status_code == 403 or response["Location"] == "/admin/"


def test_the_clock_sends_the_reminders(two_sites, people):
    account(two_sites["a"]["site"], "Alpha", owner=people["owner"], days=1)
    job = next(j for j in default_jobs() if j.name == "handover_expiry_reminders")
    mail.outbox.clear()
    job.enqueue()  # the test settings run the task at once
    assert [m.to for m in mail.outbox] == [["olga@example.org"]]
