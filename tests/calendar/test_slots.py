"""Posting slots: the next free slot of an account, "prochain créneau libre" in the Social tab
and when the post then goes out, the slots suggested by the association's own metrics, and the
page where an administrator keeps them."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.utils import timezone

from cms.social.forms import SocialTextsField
from cms.social.models import Delivery, PostingSlot
from cms.social.planning import planned_post_at
from cms.social.slots import next_free_slot
from cms.stats.models import MetricSample, TrackedPost
from cms.stats.timing import suggested_slots
from tests.calendar.support import account, post
from tests.cms.factories import make_item
from tests.federation.builders import member_of

MONDAY, TUESDAY, THURSDAY, FRIDAY = 0, 1, 3, 4


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def next_weekday(weekday: int, after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


@pytest.fixture
def a_admin(two_sites):
    return member_of(two_sites["a"]["association"], "administrators", username="adm")


def test_the_next_free_slot_skips_the_taken_ones(two_sites):
    acc = account(two_sites["a"]["site"])
    assert next_free_slot(acc) is None  # no slot: as soon as live
    PostingSlot.objects.create(account=acc, weekday=MONDAY, time=dt.time(9, 0))
    PostingSlot.objects.create(account=acc, weekday=THURSDAY, time=dt.time(12, 30))
    sunday = next_weekday(6, timezone.localdate())
    after = local(sunday, 20)
    monday, thursday = sunday + dt.timedelta(days=1), sunday + dt.timedelta(days=4)
    assert next_free_slot(acc, after) == local(monday, 9)
    post(acc, post_at=local(monday, 9))  # taken
    post(acc, post_at=local(thursday, 12, 30), state=Delivery.State.FAILED)  # will not go out
    assert next_free_slot(acc, after) == local(thursday, 12, 30)
    post(acc, post_at=local(thursday, 12, 30), key="actualites/autre")
    assert next_free_slot(acc, after) == local(monday + dt.timedelta(days=7), 9)
    # another account's post takes nothing of this one
    other = account(two_sites["a"]["site"], "linkedin")
    PostingSlot.objects.create(account=other, weekday=MONDAY, time=dt.time(9, 0))
    assert next_free_slot(other, after) == local(monday, 9)


def test_next_free_slot_in_the_social_tab_sets_when_the_post_goes(two_sites):
    field = SocialTextsField(required=False)
    chosen = field.clean({"mastodon": {"text": "", "post_at": "", "slot": "next"}})
    assert chosen == {"mastodon": {"text": "", "post_at": "", "slot": "next"}}
    with pytest.raises(forms.ValidationError, match="pas les deux"):
        field.clean({"mastodon": {"text": "", "post_at": "2030-01-07T09:00", "slot": "next"}})
    a = two_sites["a"]
    acc = account(a["site"])
    PostingSlot.objects.create(account=acc, weekday=FRIDAY, time=dt.time(7, 45))
    item = make_item(a, social_texts=chosen)
    expected = next_free_slot(acc)
    assert expected is not None and timezone.localtime(expected).weekday() == FRIDAY
    assert planned_post_at(item, acc) == expected
    # the network without the choice goes as soon as live
    linkedin = account(a["site"], "linkedin")
    PostingSlot.objects.create(account=linkedin, weekday=FRIDAY, time=dt.time(7, 45))
    assert planned_post_at(item, linkedin) is None


def test_the_social_tab_offers_the_next_free_slot(two_sites, client):
    a = two_sites["a"]
    moderator = member_of(a["association"], "editors", "moderators", username="modo")
    acc = account(a["site"])
    PostingSlot.objects.create(account=acc, weekday=MONDAY, time=dt.time(9, 0))
    item = make_item(a)
    client.force_login(moderator)
    soup = BeautifulSoup(client.get(f"/admin/pages/{item.pk}/edit/").content, "html.parser")
    box = soup.select_one("#id_social_texts-mastodon-slot")
    assert box is not None and box["value"] == "next"
    assert "lundi 09:00" in box.find_parent("div").text


def track(delivery, posted_at, readings, pulled_at=None) -> TrackedPost:
    """Follow ``delivery`` as the pull does: ``readings`` are (hours after the post, views,
    likes), each written as the samples of that reading; the last reading is ``latest``."""
    for hours, views, likes in readings:
        taken = posted_at + dt.timedelta(hours=hours)
        for metric, value in (("impressions", views), ("likes", likes)):
            MetricSample.objects.create(
                delivery=delivery, metric=metric, taken_at=taken, value=value
            )
    last, views, likes = readings[-1]
    return TrackedPost.objects.create(
        delivery=delivery,
        posted_at=posted_at,
        last_pulled_at=pulled_at or posted_at + dt.timedelta(hours=last),
        latest={"impressions": {"value": views}, "likes": {"value": likes}},
    )


def seed(acc, weekday: int, hour: int, weeks: int, views: int, likes: int) -> None:
    """``weeks`` past posts of ``acc`` on ``weekday`` at ``hour``, each seen ``views`` times and
    liked ``likes`` times 40 hours after it went out (and ten times more ten days later)."""
    for week in range(1, weeks + 1):
        day = next_weekday(weekday, timezone.localdate()) - dt.timedelta(days=7 * (week + 1))
        when = local(day, hour, 5 + week)
        delivery = post(acc, sent_at=when, key=f"actualites/{weekday}-{hour}-{week}")
        readings = [(1, views // 4, likes // 4), (40, views, likes), (240, views * 10, likes * 10)]
        track(delivery, when, readings)


def test_slots_are_suggested_from_the_associations_own_metrics(two_sites):
    site = two_sites["a"]["site"]
    acc = account(site)
    seed(acc, TUESDAY, 18, weeks=3, views=100, likes=10)
    seed(acc, MONDAY, 9, weeks=4, views=20, likes=2)
    seed(acc, FRIDAY, 7, weeks=2, views=1000, likes=90)  # too few posts to say
    found = suggested_slots(site, "mastodon")
    assert [(s.weekday, s.hour, s.posts) for s in found] == [(TUESDAY, 18, 3), (MONDAY, 9, 4)]
    assert (found[0].views, found[0].interactions) == (100, 10)
    # another network, another association: nothing to suggest
    assert suggested_slots(site, "linkedin") == []
    assert suggested_slots(two_sites["b"]["site"], "mastodon") == []


def test_the_slots_page_suggests_and_keeps_the_slots(two_sites, a_admin, a_editor, b_user, client):
    acc = account(two_sites["a"]["site"])
    seed(acc, TUESDAY, 18, weeks=3, views=100, likes=10)
    url = f"/admin/calendrier/creneaux/{acc.pk}/"
    for outsider in (b_user, a_editor):  # another association's; not an administrator
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(a_admin)
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    suggestions = soup.select_one("#suggestions").text
    assert "mardi 18:00" in suggestions and "d'après 3 publications" in suggestions
    assert "100 vues" in suggestions  # at 48 hours, not the thousand read ten days later
    assert "48 h après sa sortie" in soup.select_one("#suggestions-age").text
    client.post(url, {"add": f"{TUESDAY}-18"})
    assert list(acc.slots.values_list("weekday", "time")) == [(TUESDAY, dt.time(18, 0))]
    management = {
        "slots-TOTAL_FORMS": "2",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    response = client.post(
        url,
        {
            **management,
            "slots-0-weekday": "0",
            "slots-0-time": "09:00",
            "slots-1-weekday": "0",
            "slots-1-time": "09:00",
        },
    )
    assert response.status_code == 200 and "deux fois" in response.content.decode()
    assert acc.slots.count() == 1  # nothing saved
    response = client.post(url, {**management, "slots-0-weekday": "0", "slots-0-time": "09:00"})
    assert response.status_code == 302
    assert sorted(acc.slots.values_list("weekday", "time")) == [
        (MONDAY, dt.time(9, 0)),
        (TUESDAY, dt.time(18, 0)),
    ]


def test_a_young_post_does_not_drag_its_hour_down(two_sites):
    site = two_sites["a"]["site"]
    acc = account(site)
    young_at = timezone.localtime(timezone.now() - dt.timedelta(hours=2))
    weekday, hour = young_at.weekday(), young_at.hour
    # three past posts at that weekday and hour, seen 90 times each at 48 hours
    for week in range(1, 4):
        when = local(young_at.date() - dt.timedelta(days=7 * week), hour)
        delivery = post(acc, sent_at=when, key=f"actualites/passe-{week}")
        track(delivery, when, [(1, 20, 1), (30, 90, 6), (200, 150, 9)])
    # this morning's post, seen 4 times so far, and one whose numbers stopped at 10 hours
    young = post(acc, sent_at=young_at, key="actualites/jeune")
    track(young, young_at, [(1, 4, 0)], pulled_at=timezone.now())
    stopped_at = local(young_at.date() - dt.timedelta(days=28), hour)
    stopped = post(acc, sent_at=stopped_at, key="actualites/interrompue")
    track(stopped, stopped_at, [(1, 3, 0), (10, 5, 0)])
    # another hour, seen 80 times at 48 hours (800 by now)
    other = (weekday + 2) % 7
    seed(acc, other, 11, weeks=3, views=80, likes=2)

    found = suggested_slots(site, "mastodon")
    assert [(s.weekday, s.hour, s.posts) for s in found] == [(weekday, hour, 3), (other, 11, 3)]
    assert (found[0].views, found[0].interactions) == (90, 6)
    assert (found[1].views, found[1].interactions) == (80, 2)


def test_older_posts_are_compared_at_the_same_age(two_sites, settings):
    site = two_sites["a"]["site"]
    acc = account(site)
    today = timezone.localdate()
    old_at, recent_at = (
        local(today - dt.timedelta(days=21), 9),
        local(today - dt.timedelta(days=4), 18),
    )
    old = post(acc, sent_at=old_at, key="actualites/ancienne")
    # read for three weeks: 50 views at two days, 500 by now
    track(old, old_at, [(2, 10, 0), (47, 50, 3), (24 * 7, 400, 20), (24 * 20, 500, 25)])
    recent = post(acc, sent_at=recent_at, key="actualites/recente")
    track(recent, recent_at, [(2, 30, 2), (48, 80, 5), (70, 85, 5)])  # 80 at exactly 48 h

    found = suggested_slots(site, "mastodon", min_posts=1)
    assert [(s.weekday, s.hour, s.views, s.interactions) for s in found] == [
        (recent_at.weekday(), 18, 80, 5),
        (old_at.weekday(), 9, 50, 3),
    ]
    # judged at a week, the recent post is too young to count
    settings.RELAIS_STATS = {"slot_age_hours": 24 * 7}
    found = suggested_slots(site, "mastodon", min_posts=1)
    assert [(s.weekday, s.hour, s.views) for s in found] == [(old_at.weekday(), 9, 400)]
