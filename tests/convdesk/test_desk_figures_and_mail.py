"""Time to first answer on known data (median and 90th percentile per network and month, in
the Statistics overview, one association's only), and the daily mail: what waits for each
person (assigned to them; new ones for the moderators), once a day, never to who opted out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from cms.conversations.digest import send_digests
from cms.conversations.figures import answer_times, median, percentile
from cms.conversations.models import DeskPreference, IncomingMessage
from cms.social.models import SocialAccount

TZ = dt.UTC


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=TZ)


def account_of(site, network: str) -> SocialAccount:
    account = SocialAccount.objects.create(
        site=site,
        network=network,
        display_name=f"Compte {network}",
        remote_id=f"{network}-{site.pk}",
    )
    return account


def received(account, n: int, written: dt.datetime, minutes: float | None, **fields):
    answered = written + dt.timedelta(minutes=minutes) if minutes is not None else None
    state = IncomingMessage.State.ANSWERED if answered else IncomingMessage.State.NEW
    return IncomingMessage.objects.create(
        site=account.site,
        account=account,
        network=account.network,
        remote_id=f"{account.pk}-{n}",
        kind="reply",
        author_name=f"Auteur {n}",
        created_at=written,
        first_answer_at=answered,
        **{"state": state, "text": f"Message {n} de {account.site.site_name}", **fields},
    )


@pytest.fixture
def known(two_sites, settings):
    settings.TIME_ZONE = "UTC"
    a, b = two_sites["a"]["site"], two_sites["b"]["site"]
    masto, fb, b_masto = (
        account_of(a, "mastodon"),
        account_of(a, "facebook"),
        account_of(b, "mastodon"),
    )
    for n, minutes in enumerate([40, 10, 100, 30, 20]):
        received(masto, n, at("2026-11-0" + str(n + 1)), minutes)
    received(masto, 10, at("2026-11-20"), None)  # still waiting
    received(masto, 11, at("2026-11-21"), None, state=IncomingMessage.State.NO_ANSWER_NEEDED)
    received(masto, 12, at("2026-10-15"), 26 * 60)
    received(fb, 20, at("2026-11-10"), 60)
    received(fb, 21, at("2026-11-11"), 180)
    received(b_masto, 30, at("2026-11-03"), 5000)  # another association's
    return {"a": a, "b": b}


def test_percentiles_by_nearest_rank():
    assert median([10, 40, 20]) == 20 and median([1, 2, 3, 4]) == 2.5
    assert percentile([10, 20, 30, 40, 100], 90) == 100
    assert percentile(list(range(1, 21)), 90) == 18
    with pytest.raises(ValueError, match="at least one"):
        percentile([], 90)


def test_time_to_first_answer_per_network_and_month(known):
    rows = {(r.network, r.month.isoformat()): r for r in answer_times(known["a"])}
    assert set(rows) == {
        ("mastodon", "2026-11-01"),
        ("facebook", "2026-11-01"),
        ("mastodon", "2026-10-01"),
    }
    november = rows[("mastodon", "2026-11-01")]
    assert (november.answered, november.unanswered) == (5, 1)
    assert november.median_seconds == 30 * 60 and november.p90_seconds == 100 * 60
    fb = rows[("facebook", "2026-11-01")]
    assert fb.median_seconds == 120 * 60 and fb.p90_seconds == 180 * 60
    assert rows[("mastodon", "2026-10-01")].median_seconds == 26 * 3600
    only = answer_times(known["a"], network="facebook", start=dt.date(2026, 11, 1))
    assert [(r.network, r.answered) for r in only] == [("facebook", 2)]


def test_the_statistics_overview_shows_them(known, a_admin, client):
    client.force_login(a_admin)
    html = client.get(
        "/admin/stats/", {"start": "2026-10-01", "end": "2026-11-30", "site": known["a"].pk}
    ).content.decode()
    assert "Délai de première réponse" in html
    section = re.search(r'data-table="answer-times".*?</table>', html, re.S).group(0)
    cells = re.findall(
        r'data-network="(\w+)" data-month="([\d-]+)">.*?data-cell="median">([^<]*)<.*?'
        r'data-cell="p90">([^<]*)<',
        section,
        re.S,
    )
    assert cells == [
        ("facebook", "2026-11", "2 h 00", "3 h 00"),
        ("mastodon", "2026-11", "30 min", "1 h 40"),
        ("mastodon", "2026-10", "1 j 2 h", "1 j 2 h"),
    ]
    # B's figures are B's (3 days 11 h 20 for its only message), never in A's
    assert "3 j 11 h" not in html


def test_daily_mail_what_waits_once_a_day_and_opt_out(two_sites, a_volunteer, a_admin, b_person):
    site = two_sites["a"]["site"]
    account = account_of(site, "mastodon")
    now = timezone.now()
    received(account, 1, now, None, text="Nouveau sans personne")
    received(
        account,
        2,
        now,
        None,
        text="Pour la modératrice",
        state=IncomingMessage.State.ASSIGNED,
        assignee=a_volunteer,
    )
    received(
        account,
        3,
        now,
        None,
        text="Pour l'administrateur",
        state=IncomingMessage.State.ASSIGNED,
        assignee=a_admin,
    )
    received(account, 4, now, 5, text="Déjà répondu", assignee=a_volunteer)

    assert send_digests(now, force=True) == 2
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {a_volunteer.email, a_admin.email}  # B's person: nothing waits
    volunteer = by_person[a_volunteer.email].body
    assert "Pour la modératrice" in volunteer and "Nouveau sans personne" in volunteer
    assert "Pour l'administrateur" not in volunteer and "Déjà répondu" not in volunteer
    assert "http://testserver/admin/conversations/" in volunteer
    assert "http://testserver/admin/conversations/preferences/" in volunteer
    administrator = by_person[a_admin.email].body
    # administrators are told of the new ones too (moderators and administrators)
    assert "Pour l'administrateur" in administrator and "Pour la modératrice" not in administrator
    assert "2 messages vous attendent" in by_person[a_volunteer.email].subject

    # once a day
    assert send_digests(now, force=True) == 0
    # a new day, and the volunteer opted out
    DeskPreference.objects.filter(user=a_volunteer).update(daily_email=False)
    assert send_digests(now + dt.timedelta(days=1), force=True) == 1
    assert mail.outbox[-1].to == [a_admin.email]
    assert b_person.email not in [m.to[0] for m in mail.outbox]


def test_no_mail_before_the_hour(two_sites, a_volunteer, settings):
    settings.TIME_ZONE = "UTC"
    settings.RELAIS_CONVERSATIONS = {"digest_hour": 7}
    account = account_of(two_sites["a"]["site"], "mastodon")
    received(account, 1, timezone.now(), None)
    early = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.UTC)
    assert send_digests(early) == 0 and mail.outbox == []
    assert send_digests(early.replace(hour=8)) == 1
