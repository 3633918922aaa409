"""The editorial calendar: what it shows of an association's real data (scheduled items, posts
per network, events), its gaps and days of content ready, and moving a post or a scheduled
item (the checks, the other association's post not found)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from cms.calendar import agenda
from cms.content.models import EventPage
from cms.social.models import Delivery
from tests.calendar.support import account, at, post, schedule_item
from tests.cms.factories import make_item
from tests.federation.builders import member_of

URL = "/admin/calendrier/"


def move_url(delivery) -> str:
    return f"{URL}publications/{delivery.pk}/deplacer/"


@pytest.fixture
def a_admin(two_sites):
    return member_of(two_sites["a"]["association"], "administrators", "editors", username="adm")


@pytest.fixture
def a_moderator(two_sites):
    return member_of(two_sites["a"]["association"], "editors", "moderators", username="modo")


def entries_of(response) -> set[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return {li["data-calendar-entry"] for li in soup.select("[data-calendar-entry]")}


def test_the_month_shows_scheduled_items_posts_per_network_and_events(two_sites, a_editor, client):
    a, b = two_sites["a"], two_sites["b"]
    item = make_item(a, title="Gala des anciens", slug="gala")
    masto, linkedin = account(a["site"], "mastodon"), account(a["site"], "linkedin")
    waiting = post(masto, item, post_at=at(2))
    sent = post(linkedin, item, sent_at=timezone.now() - dt.timedelta(minutes=5))
    draft = make_item(a, publish=False, title="Portrait programmé", slug="portrait")
    schedule_item(draft, at(3, 8, 0))
    event = EventPage(title="Afterwork à Lyon", slug="afterwork", summary="Rencontre.", start=at(4))
    a["indexes"]["evenements"].add_child(instance=event)
    event.save_revision().publish()
    # B's post the same day: never on A's calendar
    other = post(account(b["site"], "mastodon", name="B"), post_at=at(2))
    client.force_login(a_editor)
    shown = set()
    for day in {timezone.localdate(), at(4).date()}:  # the month(s) of every entry
        response = client.get(URL, {"site": a["site"].pk, "date": day.isoformat()})
        assert response.status_code == 200
        shown |= entries_of(response)
    assert {
        f"post-{waiting.pk}",
        f"post-{sent.pk}",
        f"item-{draft.pk}",
        f"event-{event.pk}",
    } <= shown
    assert f"post-{other.pk}" not in shown
    # the week of the waiting post: its network, its time, movable; the sent one is not
    response = client.get(URL, {"site": a["site"].pk, "view": "week", "date": at(2).date()})
    soup = BeautifulSoup(response.content, "html.parser")
    cell = soup.select_one(f'td[data-calendar-day="{at(2).date().isoformat()}"]')
    entry = cell.select_one(f'[data-calendar-entry="post-{waiting.pk}"]')
    assert entry["draggable"] == "true" and entry["data-move-url"] == move_url(waiting)
    assert "Mastodon" in entry.text and "10:30" in entry.text and "Gala des anciens" in entry.text
    # B's site cannot be chosen by A's editor (refused: Wagtail sends back to the dashboard)
    refused = client.get(URL, {"site": b["site"].pk})
    assert refused.status_code == 302 and refused["Location"] == "/admin/"


def test_gaps_per_network_are_found_from_the_posts(two_sites):
    site = two_sites["a"]["site"]
    # the days before an account was connected are no gap
    masto = account(site, "mastodon", connected_at=at(-10, 8))
    linkedin = account(site, "linkedin", connected_at=at(-9, 8))
    today = timezone.localdate()
    # Mastodon: a post every day from 10 days ago to 3 days ahead, then nothing for 9 days,
    # then again
    for days in range(-10, 0):
        post(masto, sent_at=at(days))
    post(masto, sent_at=timezone.now())
    for days in [1, 2, 3, 13, 14, 15, 16, 17, 18, 19, 20]:
        post(masto, post_at=at(days))
    # LinkedIn: last post 9 days ago, nothing planned
    post(linkedin, sent_at=at(-9))
    found = agenda.gaps(site, today - dt.timedelta(days=14), today + dt.timedelta(days=20), today)
    by_network = {(g.network, g.first): g for g in found}
    masto_gap = by_network[("mastodon", today + dt.timedelta(days=4))]
    assert masto_gap.last == today + dt.timedelta(days=12) and masto_gap.length == 9
    assert "Aucune publication Mastodon prévue du" in masto_gap.message
    assert "(9 jours)" in masto_gap.message
    linkedin_gap = by_network[("linkedin", today - dt.timedelta(days=8))]
    assert linkedin_gap.message == "Aucune publication LinkedIn depuis 9 jours ; rien n'est prévu"
    assert [g.network for g in found] == ["linkedin", "mastodon"]  # nothing else
    # shorter than gap_days: no gap
    post(masto, post_at=at(8))
    found = agenda.gaps(site, today, today + dt.timedelta(days=20), today)
    assert [g.network for g in found] == ["linkedin"]


def test_the_calendar_page_shows_the_gaps(two_sites, a_editor, client):
    site = two_sites["a"]["site"]
    post(account(site, "linkedin"), sent_at=at(-9))
    client.force_login(a_editor)
    soup = BeautifulSoup(client.get(URL, {"site": site.pk}).content, "html.parser")
    assert "Aucune publication LinkedIn depuis 9 jours" in soup.select_one("#gaps").text
    today = soup.select_one(f'td[data-calendar-day="{timezone.localdate().isoformat()}"]')
    assert "has-gap" in today["class"] and "LinkedIn" in today.text


def test_days_of_content_ready_per_network(two_sites, settings, a_editor, client):
    settings.RELAIS_CALENDAR = {"ready_warning_days": 3}
    a = two_sites["a"]
    masto, linkedin = account(a["site"], "mastodon"), account(a["site"], "linkedin")
    post(masto, sent_at=timezone.now())  # today
    for days in [1, 2, 4]:
        post(masto, post_at=at(days))
    post(masto, post_at=at(3), state=Delivery.State.FAILED)  # will not go out
    # LinkedIn: an item scheduled for tomorrow will be posted then; nothing today
    draft = make_item(a, publish=False, title="Programmé", slug="programme")
    schedule_item(draft, at(1, 7, 0))
    ready = {r.network: r for r in agenda.days_ready(a["site"])}
    assert ready["mastodon"].days == 3 and not ready["mastodon"].warning
    assert ready["mastodon"].first_empty == timezone.localdate() + dt.timedelta(days=3)
    assert ready["linkedin"].days == 0 and ready["linkedin"].warning
    post(linkedin, post_at=timezone.now())  # due now: today's, at any hour of the day
    ready = {r.network: r for r in agenda.days_ready(a["site"])}
    assert ready["linkedin"].days == 2  # today (or due now), and the scheduled item tomorrow
    # on the calendar page and on the dashboard, with the warning under 3 days
    client.force_login(a_editor)
    soup = BeautifulSoup(client.get(URL, {"site": a["site"].pk}).content, "html.parser")
    row = soup.select_one('#days-ready tr[data-network="linkedin"]')
    assert "2 jours" in row.text and "moins de 3 jours" in row.text
    dashboard = BeautifulSoup(client.get("/admin/").content, "html.parser")
    panel = dashboard.select_one("#days-ready-panel")
    assert panel is not None and "Moins de 3 jours" in panel.text
    assert "3 jours" in panel.select_one('tr[data-network="mastodon"] .days').text


def test_moving_a_post_keeps_its_time_of_day_or_takes_the_slot(two_sites, a_moderator, client):
    a = two_sites["a"]
    item = make_item(a)
    waiting = post(account(a["site"]), item, post_at=at(2))
    client.force_login(a_moderator)  # who may publish the item may move its posts
    target = at(5).date()
    response = client.post(
        move_url(waiting), {"day": target.isoformat()}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.content
    waiting.refresh_from_db()
    assert waiting.post_at == at(5)
    assert json.loads(response.content)["time"] == "10:30"
    response = client.post(
        move_url(waiting),
        {"day": target.isoformat(), "time": "08:15"},
        headers={"Accept": "application/json"},
    )
    waiting.refresh_from_db()
    assert waiting.post_at == at(5, 8, 15)
    # without the script: "Déplacer" opens the form, filled with the post's day and time
    calendar = BeautifulSoup(
        client.get(URL, {"view": "week", "date": target.isoformat()}).content, "html.parser"
    )
    link = calendar.select_one(f'[data-calendar-entry="post-{waiting.pk}"] a.relais-calendar__move')
    form_page = BeautifulSoup(client.get(link["href"]).content, "html.parser")
    form = form_page.select_one("#move-form")
    assert form.select_one("[name=day]")["value"] == target.isoformat()
    assert form.select_one("[name=time]")["value"] == "08:15"
    back = form.select_one("[name=next]")["value"]
    assert back.startswith(URL)
    # a refusal shows the form again with what was typed and why
    response = client.post(link["href"], {"day": at(-2).date().isoformat(), "next": back})
    assert response.status_code == 400
    again = BeautifulSoup(response.content, "html.parser")
    assert "déjà passé" in again.select_one("#move-form").text
    assert again.select_one("[name=day]")["value"] == at(-2).date().isoformat()
    response = client.post(
        link["href"], {"day": at(6).date().isoformat(), "time": "09:00", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    waiting.refresh_from_db()
    assert waiting.post_at == at(6, 9, 0)


def test_without_script_the_move_is_a_titled_form_filled_with_the_current_time(
    two_sites, a_moderator, client
):
    a = two_sites["a"]
    waiting = post(account(a["site"]), make_item(a), post_at=at(2, 9, 30))
    client.force_login(a_moderator)
    response = client.get(move_url(waiting))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.title.get_text(strip=True) == "Déplacer - Relais"
    local = timezone.localtime(waiting.post_at)
    assert soup.select_one("input[name=day]")["value"] == local.date().isoformat()
    assert soup.select_one("input[name=time]")["value"].startswith("09:30")


def test_moving_a_post_is_checked(two_sites, a_editor, a_moderator, b_user, client, settings):
    a = two_sites["a"]
    item = make_item(a)
    acc = account(a["site"])
    waiting = post(acc, item, post_at=at(2))
    client.force_login(a_editor)  # who cannot publish the item cannot move its posts
    refused = client.post(move_url(waiting), {"day": at(3).date().isoformat()})
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    client.force_login(a_moderator)

    def move(delivery, **data):
        return client.post(move_url(delivery), data, headers={"Accept": "application/json"})

    # in the past
    response = move(waiting, day=at(-1).date().isoformat())
    assert response.status_code == 400
    assert "déjà passé" in json.loads(response.content)["errors"][0]
    # not a date
    response = move(waiting, day="demain")
    assert response.status_code == 400 and "AAAA-MM-JJ" in response.content.decode()
    # already sent
    sent = post(acc, item, sent_at=at(-1), key="actualites/envoye")
    response = move(sent, day=at(3).date().isoformat())
    assert response.status_code == 400 and "n'attend plus" in response.content.decode()
    # after the item leaves the site
    item.expire_at = at(4, 0, 0)
    item.save()
    response = move(waiting, day=at(4).date().isoformat())
    assert response.status_code == 400 and "quitte le site" in response.content.decode()
    # more posts that day than the network takes from one account
    settings.RELAIS_SOCIAL_SLOTS = {"daily_limits": {"mastodon": 1}}
    post(acc, post_at=at(3, 18, 0))
    response = move(waiting, day=at(3).date().isoformat())
    assert response.status_code == 400 and "1 publications par jour" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.post_at == at(2)  # nothing moved
    # another association's post is not found
    client.force_login(b_user)
    assert move(waiting, day=at(3).date().isoformat()).status_code == 404
    waiting.refresh_from_db()
    assert waiting.post_at == at(2)


def test_a_scheduled_items_go_live_moves(two_sites, a_moderator, a_editor, client):
    a = two_sites["a"]
    draft = make_item(a, publish=False, title="Portrait", slug="portrait")
    revision = schedule_item(draft, at(3, 8, 0))
    url = f"{URL}articles/{draft.pk}/deplacer/"
    client.force_login(a_editor)  # an editor cannot publish: refused
    refused = client.post(url, {"day": at(5).date().isoformat()})
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    client.force_login(a_moderator)
    response = client.post(url, {"day": at(-2).date().isoformat()}, headers={"Accept": "json"})
    revision.refresh_from_db()
    assert revision.approved_go_live_at == at(3, 8, 0)
    response = client.post(
        url, {"day": at(5).date().isoformat()}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.content
    revision.refresh_from_db()
    draft.refresh_from_db()
    assert revision.approved_go_live_at == at(5, 8, 0) == draft.go_live_at
    assert [e.pk for e in agenda.scheduled_items(a["site"], at(4), at(6))] == [draft.pk]
