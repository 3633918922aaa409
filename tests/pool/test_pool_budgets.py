"""One X, LinkedIn or Meta application serves the whole installation: its limits are counted
across every association and account, and posts past the budget wait (the ledger says why and
until when) and go later, each still exactly once."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.utils import timezone

from cms.pool import adoption
from cms.pool.models import Offer, Share
from cms.social import budget, delivery
from cms.social.delivery import deliver
from cms.social.models import Delivery
from tests.cms.factories import make_item
from tests.social.support import make_account

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def clock(monkeypatch):
    """The deliveries' clock, to move forward."""
    state = {"now": timezone.now()}
    monkeypatch.setattr(delivery, "clock", lambda: state["now"])
    return state


def test_the_x_application_budget_holds_across_associations(
    federation, fakes, admin_user, settings, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    settings.RELAIS_SOCIAL_BUDGETS = {"x-application": {"posts": 2, "seconds": 3600}}
    settings.RELAIS_POOL_SPREAD_MINUTES = 0
    adopters = [federation[k] for k in ("a", "b", "c")]
    for association in adopters:
        make_account(association.site, fakes["x"], owner=admin_user)
    index = federation["tree"]["indexes"]["actualites"]
    page = make_item({"indexes": {"actualites": index}}, publish=False, slug="salon-industrie")
    Share.objects.create(page=page, mode=Share.Mode.ALL)
    with capture(execute=True):
        page.save_revision().publish()

    for association in adopters:
        offer = Offer.objects.get(original_id=page.pk, association=association)
        with capture(execute=True):
            adoption.adopt(offer, admin_user)
    sent = Delivery.objects.filter(state="sent", network="x")
    waiting = Delivery.objects.get(state="pending", network="x")
    assert sent.count() == 2 and len(fakes["x"].posts) == 2  # two accounts, one application
    assert waiting.account.site_id == federation["c"].site_id
    assert waiting.retry_at is not None
    assert (
        clock["now"] + HOUR - dt.timedelta(minutes=2) < waiting.retry_at <= clock["now"] + 2 * HOUR
    )
    reason = unescape(waiting.reason)
    assert "L'application X de l'installation a atteint sa limite" in reason
    assert "2 publications en 1 heure" in reason and "pour toutes les associations" in reason
    assert waiting.attempt == 0  # waiting for the budget is not a failed attempt

    # too early: it keeps waiting, nothing is called
    deliver(waiting.pk)
    assert len(fakes["x"].posts) == 2
    # once the window has passed, its task runs again and the post goes, once
    clock["now"] = waiting.retry_at + dt.timedelta(seconds=1)
    with capture(execute=True):
        assert deliver(waiting.pk).state == "sent"
    assert len(fakes["x"].posts) == 3
    links = sorted(p["link"].split("/actualites/")[0] for p in fakes["x"].posts)
    assert links == sorted(a.public_url for a in adopters)
    for d in Delivery.objects.all():
        deliver(d.pk)
    assert len(fakes["x"].posts) == 3


def test_the_window_rolls_and_accounts_keep_their_own_limits(db, settings):
    settings.RELAIS_SOCIAL_BUDGETS = {"meta-application": {"posts": 3, "seconds": 3600}}
    t0 = timezone.now()
    assert budget.reserve("facebook", 1, t0) is None
    assert budget.reserve("instagram", 2, t0 + dt.timedelta(minutes=20)) is None
    assert budget.reserve("facebook", 3, t0 + dt.timedelta(minutes=40)) is None
    spent = budget.reserve("instagram", 4, t0 + dt.timedelta(minutes=50))
    assert spent is not None and spent.budget.name == "meta-application"
    # room again when the first post's bucket leaves the window (a minute's rounding at most)
    assert t0 + HOUR <= spent.until <= t0 + HOUR + dt.timedelta(minutes=1, seconds=1)
    assert budget.reserve("instagram", 4, spent.until) is None
    assert budget.reserve("x", 4, t0) is None  # another application

    # Instagram: 50 posts per 24 h per account (documented), whatever the application allows
    settings.RELAIS_SOCIAL_BUDGETS = {"meta-application": None}
    day = t0 + dt.timedelta(days=2)
    for i in range(50):
        assert budget.reserve("instagram", 7, day + dt.timedelta(seconds=i)) is None
    spent = budget.reserve("instagram", 7, day + HOUR)
    assert spent is not None and spent.budget.name == "instagram-account"
    assert budget.reserve("instagram", 8, day + HOUR) is None  # another account


def test_a_budget_setting_that_cannot_work_says_what_it_needs(db, settings):
    settings.RELAIS_SOCIAL_BUDGETS = {"mastodon-application": {"posts": 10}}
    with pytest.raises(ValueError, match=r"needs 'networks', 'per'"):
        budget.reserve("mastodon", 1, timezone.now())
