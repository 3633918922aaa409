"""Bluesky's metrics from the real network on loopback (``DevNet``: PLC, PDS, App View on
PostgreSQL and Redis): an account connected through the admin, an item published and posted by
the real delivery task, then other accounts like, repost, reply and quote it; the pull task
reads the counts back through the App View, and the Statistics area shows them."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import requests
from django.utils import timezone

from cms.social.models import Delivery, SocialAccount
from cms.stats.models import MetricSample, TrackedPost
from cms.stats.pulling import pull, track_new_posts
from syndication.testing.peers import DevNet, PeerUnavailable
from tests.cms.factories import make_item
from tests.social.support import connect_through_admin
from tests.stats.support import soup, table

pytestmark = [pytest.mark.peer, pytest.mark.devnet]


@pytest.fixture
def devnet():
    try:
        net = DevNet().start()
    except PeerUnavailable as exc:
        pytest.fail(f"The Bluesky dev network cannot run: {exc}")
    yield net
    net.stop()


def xrpc(net: DevNet, method: str, body: dict, token: str = "") -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.post(f"{net.pds_url}/xrpc/{method}", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def account(net: DevNet, handle: str) -> dict:
    return xrpc(
        net,
        "com.atproto.server.createAccount",
        {"handle": handle, "email": f"{handle}@x.test", "password": f"pw-{handle}"},
    )


def record(net: DevNet, who: dict, collection: str, value: dict) -> dict:
    now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    return xrpc(
        net,
        "com.atproto.repo.createRecord",
        {
            "repo": who["did"],
            "collection": collection,
            "record": {"$type": collection, "createdAt": now, **value},
        },
        who["accessJwt"],
    )


def test_bluesky_counts_come_from_the_real_network(
    devnet, site_tree, admin_user, client, django_capture_on_commit_callbacks
):
    author = account(devnet, "alumni.test")
    app_password = xrpc(
        devnet, "com.atproto.server.createAppPassword", {"name": "Relais"}, author["accessJwt"]
    )["password"]
    client.force_login(admin_user)
    connect_through_admin(
        client,
        "bluesky",
        site_tree["site"],
        identifier="alumni.test",
        app_password=app_password,
        server=devnet.pds_url,
    )
    assert SocialAccount.objects.get(network="bluesky").remote_id == author["did"]
    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree, title="Nomination de Léa Martin", slug="nomination-lea-martin")
    delivery = Delivery.objects.get(network="bluesky")
    assert delivery.state == "sent", delivery.reason
    subject = {
        "uri": delivery.remote_id,
        "cid": requests.get(
            f"{devnet.pds_url}/xrpc/com.atproto.repo.getRecord",
            timeout=10,
            params=dict(
                zip(
                    ("repo", "collection", "rkey"),
                    delivery.remote_id.removeprefix("at://").split("/"),
                    strict=True,
                )
            ),
        ).json()["cid"],
    }

    fans = [account(devnet, f"fan{i}.test") for i in range(3)]
    for fan in fans:  # three likes
        record(devnet, fan, "app.bsky.feed.like", {"subject": subject})
    record(devnet, fans[0], "app.bsky.feed.repost", {"subject": subject})
    record(
        devnet,
        fans[1],
        "app.bsky.feed.post",
        {"text": "Bravo Léa !", "reply": {"root": subject, "parent": subject}},
    )
    record(
        devnet,
        fans[2],
        "app.bsky.feed.post",
        {"text": "À lire :", "embed": {"$type": "app.bsky.embed.record", "record": subject}},
    )
    made = {"likes": 3, "shares": 1, "comments": 1, "quotes": 1}

    track_new_posts()
    tracked = TrackedPost.objects.select_related("delivery__account").get(delivery=delivery)
    now = timezone.now() + dt.timedelta(hours=1)
    deadline = time.monotonic() + 30
    got: dict = {}
    while time.monotonic() < deadline:  # the App View indexes within a second or two
        tracked.refresh_from_db()
        pull(now, [tracked])
        got = {k: v.get("value") for k, v in tracked.latest.items()}
        if got == made:
            break
        now += dt.timedelta(minutes=1)
        time.sleep(0.5)
    assert got == made
    for metric, value in made.items():
        last = MetricSample.objects.filter(delivery=delivery, metric=metric).latest("taken_at")
        assert last.value == value and not last.unavailable

    day = timezone.localdate()
    page = soup(
        client.get(
            "/admin/stats/",
            {
                "period": "custom",
                "start": day.isoformat(),
                "end": (day + dt.timedelta(days=1)).isoformat(),
            },
        )
    )
    row = table(page, "networks")["bluesky"]
    assert row[0] == 1 and row[1] == "—"  # one post; Bluesky counts no views
    assert row[2] == sum(made.values())  # likes, reposts, replies and quotes
