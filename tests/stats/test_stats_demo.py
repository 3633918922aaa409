"""The demo's statistics are made by the real code paths: accounts connected to the library's
fakes, items posted by the delivery tasks, reactions read back by the pull task, visits counted
by the counter view and sign-ups sent through the form — spread over months, loaded once, and
leaving no account that could post to a server that is gone."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import requests
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from cms.audience.models import PageViewCount
from cms.members.models import Signup
from cms.social.models import Delivery, SocialAccount
from cms.stats.demo import DEMO_MESSAGE, DEMO_SUFFIX
from cms.stats.models import MetricSample, TrackedPost
from cms.stats.pulling import pull
from tests.cms.factories import root_page
from tests.stats.support import soup, table


@pytest.fixture
def demo_dirs(transactional_db, settings, tmp_path):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # Wagtail keeps renditions there: none of another MEDIA_ROOT's
    # an earlier test on a live server may have emptied the tables, root page included
    root_page()
    yield
    cache.clear()  # nor leave this one's to the next test


def test_the_demo_fills_the_statistics_through_the_real_code(demo_dirs, client, settings):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    found = re.search(r"Demo statistics: (\d+) demo accounts, (\d+) posts, .* in ([\d.]+) s", text)
    assert found, text[-2000:]
    # how long it took is printed for whoever runs `make run`: a speed, not a behaviour to test
    now = timezone.now()

    accounts = list(SocialAccount.objects.all())
    assert {a.network for a in accounts} == {"mastodon", "x", "linkedin", "facebook", "instagram"}
    for account in accounts:  # marked, switched off, and its fake server is gone
        assert account.display_name.endswith(DEMO_SUFFIX) and account.demo
        assert account.profile_url == ""  # the fake's made-up profile address is forgotten
        assert not account.active and account.status == SocialAccount.Status.RECONNECT
        assert account.status_message == DEMO_MESSAGE and not account.can_post
        with pytest.raises(requests.ConnectionError):
            requests.get(account.base_url, timeout=2)
        assert account.get_credentials()  # connected by the real flow: encrypted tokens kept

    sent = Delivery.objects.filter(state="sent")
    assert sent.count() == int(found.group(2)) > 100
    assert set(sent.values_list("network", flat=True)) == {a.network for a in accounts}
    # posted with ids the fakes made up: no address of a real network is kept for them
    assert all(d.remote_id for d in sent) and not any(d.remote_url for d in sent)
    # every post was read back, over the months since its item was published
    assert not sent.filter(metric_samples__isnull=True).exists()
    taken = MetricSample.objects.values_list("taken_at", flat=True)
    assert min(taken) < now - dt.timedelta(days=60) and max(taken) <= now
    for post in TrackedPost.objects.select_related("delivery__page"):
        assert post.posted_at >= post.delivery.page.first_published_at
        assert post.next_pull_at is None and post.note == DEMO_MESSAGE
    refused = MetricSample.objects.filter(delivery__network="instagram", value__isnull=True)
    assert set(refused.values_list("unavailable", flat=True)) == {"permission"}
    assert not MetricSample.objects.filter(
        delivery__network="instagram", metric__in=["impressions", "reach"], value__isnull=False
    ).exists()
    # visits from the posted links, sign-ups through the form, over months
    days = set(PageViewCount.objects.exclude(network="").values_list("day", flat=True))
    assert len(days) > 30 and min(days) < timezone.localdate() - dt.timedelta(days=90)
    signups = Signup.objects.all()
    assert signups.count() > 20
    assert signups.exclude(last_network="").filter(last_item__contains="/").count() > 10
    assert min(signups.values_list("created_at", flat=True)) < now - dt.timedelta(days=60)
    assert all(s.consent_text for s in signups)

    # nothing more is asked of dead servers, and loading again changes nothing
    assert pull(now + dt.timedelta(days=1)).read == 0
    counts = (
        MetricSample.objects.count(),
        Signup.objects.count(),
        PageViewCount.objects.count(),
        Delivery.objects.count(),
    )
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert "Demo statistics: already loaded" in again.getvalue()
    assert counts == (
        MetricSample.objects.count(),
        Signup.objects.count(),
        PageViewCount.objects.count(),
        Delivery.objects.count(),
    )

    client.login(username="admin", password="relais-demo")
    # the admin links to none of the demo's posts or profiles
    item = sent.first().page_id
    for where in (
        "/admin/social/deliveries/",
        f"/admin/social/pages/{item}/",
        f"/admin/pages/{item}/edit/",
        "/admin/social/accounts/",
    ):
        html = soup(client.get(where))
        assert html.select("[data-delivery], [data-account]"), where
        outside = [
            a["href"]
            for a in html.select("main a[href^=http]")
            if not a["href"].startswith(("http://testserver", settings.RELAIS_SITE_URL))
        ]
        assert outside == [], where
    page = soup(client.get("/admin/stats/", {"period": "365"}))
    rows = table(page, "networks")
    assert all(
        rows[n][0] > 0 and rows[n][2] > 0
        for n in ("mastodon", "x", "linkedin", "facebook", "instagram")
    )
    assert rows["instagram"][1] == "n/d"
    assert len(table(page, "items")) == 10 and table(page, "contributors")
