"""Metrics read back from the fakes of the closed networks (and Mastodon): every count the fake
was raised to comes back under the library's names; what a network retired, refuses or hides
is an ``Unavailable`` with the reason, never a zero, and never stops the other metrics.

The Bluesky side runs against the real network on loopback (``test_synd_bluesky_pds.py``)."""

from __future__ import annotations

import random

import pytest

from syndication.compose import compose
from syndication.errors import RateLimited, ReconnectNeeded, TransientError
from syndication.metrics import (
    HIDDEN,
    METRICS,
    NOT_FOUND,
    PERMISSION,
    RETIRED,
    TIER,
    UNSUPPORTED,
    Unavailable,
)
from syndication.models import ImageRef
from syndication.networks import registry
from syndication.testing.fakes import FAKES, client_for
from syndication.testing.worker import synthetic_item

NETWORKS = sorted(FAKES)
GONE_IDS = {
    "mastodon": "999999",
    "x": "1899999999999999999",
    "linkedin": "urn:li:share:999999",
    "facebook": "104000000000001_999999",
    "instagram": "17999999999999999",
}


def publish(fake, client, n: int) -> list[str]:
    """``n`` posts made through the real client; their ids on the network."""
    ids = []
    for i in range(n):
        item = synthetic_item(100 + i)
        item.image = ImageRef(url=f"https://alumni.example.org/img/{i}.jpg", alt="Une photo")
        ids.append(client.publish(compose(item, registry.create(fake.network))).id)
    return ids


def raise_counters(fake, ids: list[str], seed: int) -> dict[str, dict[str, int]]:
    """Random engagement on each post, for every metric the fake counts; what was raised, by
    the library's metric names."""
    rng = random.Random(seed)
    raised: dict[str, dict[str, int]] = {}
    for post_id in ids:
        amounts = {name: rng.randrange(0, 500) for name in fake.counter_names}
        fake.engage(post_id, **amounts)
        extra = {name: rng.randrange(1, 9) for name in fake.counter_names}
        fake.engage(post_id, **extra)  # counters add up
        raised[post_id] = {name: amounts[name] + extra[name] for name in amounts}
    return raised


@pytest.mark.parametrize("name", NETWORKS)
def test_every_count_comes_back_under_the_library_names(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    ids = publish(fake, client, 3)
    raised = raise_counters(fake, ids, seed=len(name))

    got = client.metrics(ids)

    assert set(got) == set(ids)
    assert set(client.metric_names) <= set(METRICS)
    for post_id in ids:
        assert set(got[post_id]) == set(client.metric_names)
        # every metric the client asks for is one the fake counts, and comes back as raised
        assert got[post_id] == {m: raised[post_id][m] for m in client.metric_names}


@pytest.mark.parametrize("name", NETWORKS)
def test_a_post_that_is_gone_is_unavailable_and_the_others_are_read(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    ids = publish(fake, client, 2)
    raised = raise_counters(fake, ids, seed=7)
    gone = GONE_IDS[name]

    got = client.metrics([ids[0], gone, ids[1]])

    assert all(isinstance(v, Unavailable) and v.kind == NOT_FOUND for v in got[gone].values())
    assert set(got[gone]) == set(client.metric_names)
    for post_id in ids:
        assert got[post_id] == {m: raised[post_id][m] for m in client.metric_names}


def test_facebook_asks_each_insight_alone_so_a_retired_one_breaks_nothing(fake_factory):
    fake = fake_factory("facebook")
    client = client_for(fake)
    ids = publish(fake, client, 2)
    raised = raise_counters(fake, ids, seed=3)
    fake.retired_insights.add("post_clicks")  # Meta retires one more metric

    got = client.metrics(ids)

    insight_requests = [r for r in fake.requests if r.path.endswith("/insights")]
    assert insight_requests and all("," not in r.query["metric"][0] for r in insight_requests), (
        "one metric per insights request"
    )
    for post_id in ids:
        clicks = got[post_id]["clicks"]
        assert isinstance(clicks, Unavailable) and clicks.kind == RETIRED
        assert "valid insights metric" in clicks.reason
        others = {m: v for m, v in got[post_id].items() if m != "clicks"}
        assert others == {m: raised[post_id][m] for m in others}
    # the fake does fail a request asking a retired metric among others, as Meta does
    response = client.metric_get(
        client.path(ids[0], "insights"), {"metric": "post_media_view,post_clicks"}, RETIRED
    )
    assert isinstance(response, Unavailable) and response.kind == RETIRED


def test_facebook_without_engagement_permission_still_reads_insights(fake_factory):
    fake = fake_factory("facebook")
    client = client_for(fake)
    ids = publish(fake, client, 1)
    raised = raise_counters(fake, ids, seed=5)
    fake.engagement_allowed = False

    got = client.metrics(ids)[ids[0]]

    for metric in ("likes", "comments", "shares"):
        assert isinstance(got[metric], Unavailable) and got[metric].kind == PERMISSION
        assert "pages_read_engagement" in got[metric].reason
    for metric in ("impressions", "reach", "clicks"):
        assert got[metric] == raised[ids[0]][metric]


def test_instagram_insights_refused_likes_and_comments_still_read(fake_factory):
    fake = fake_factory("instagram")
    client = client_for(fake)
    ids = publish(fake, client, 2)
    raised = raise_counters(fake, ids, seed=11)
    fake.insights_allowed = False  # no instagram_manage_insights

    got = client.metrics(ids)

    for post_id in ids:
        for metric in ("impressions", "reach", "saves", "shares"):
            value = got[post_id][metric]
            assert isinstance(value, Unavailable) and value.kind == PERMISSION, (metric, value)
        assert got[post_id]["likes"] == raised[post_id]["likes"]
        assert got[post_id]["comments"] == raised[post_id]["comments"]


def test_instagram_hidden_likes_are_unavailable_not_zero(fake_factory):
    fake = fake_factory("instagram")
    client = client_for(fake)
    ids = publish(fake, client, 1)
    raised = raise_counters(fake, ids, seed=2)
    fake.hide_likes = True

    got = client.metrics(ids)[ids[0]]

    assert isinstance(got["likes"], Unavailable) and got["likes"].kind == HIDDEN
    assert got["comments"] == raised[ids[0]]["comments"]


def test_x_access_level_without_reads_makes_every_metric_unavailable(fake_factory):
    fake = fake_factory("x")
    client = client_for(fake)
    ids = publish(fake, client, 2)
    fake.reads_allowed = False

    got = client.metrics(ids)

    for post_id in ids:
        assert set(got[post_id]) == set(client.metric_names)
        for value in got[post_id].values():
            assert isinstance(value, Unavailable) and value.kind == TIER
            assert "Project" in value.reason and "403" in value.reason


def test_x_reads_a_hundred_posts_per_request(fake_factory):
    fake = fake_factory("x")
    client = client_for(fake)
    ids = publish(fake, client, 3)
    raised = raise_counters(fake, ids, seed=4)
    asked = ids + [str(1_800_000_000_000_900_000 + i) for i in range(150)]

    got = client.metrics(asked)

    lookups = [r for r in fake.requests if r.method == "GET" and r.path == "/2/tweets"]
    assert [len(r.query["ids"][0].split(",")) for r in lookups] == [100, 53]
    assert {i: got[i] for i in ids} == {i: raised[i] for i in ids}
    assert sum(isinstance(v, Unavailable) for g in got.values() for v in g.values()) == 150 * 6


def test_linkedin_statistics_refused_are_unavailable(fake_factory):
    fake = fake_factory("linkedin")
    client = client_for(fake)
    ids = publish(fake, client, 2)
    fake.statistics_allowed = False

    got = client.metrics(ids)

    for post_id in ids:
        for value in got[post_id].values():
            assert isinstance(value, Unavailable) and value.kind == PERMISSION
            assert "ACCESS_DENIED" in value.reason or "Not enough permissions" in value.reason


def test_linkedin_member_posts_have_no_statistics_and_nothing_is_asked(fake_factory):
    fake = fake_factory("linkedin")
    client = client_for(fake)
    client._set_credentials(author="urn:li:person:782bbtaQ")
    before = len(fake.requests)

    got = client.metrics(["urn:li:share:1001"])

    assert len(fake.requests) == before
    assert {v.kind for v in got["urn:li:share:1001"].values()} == {UNSUPPORTED}


def test_linkedin_reads_twenty_posts_per_request_shares_and_ugc_posts_apart(fake_factory):
    fake = fake_factory("linkedin")
    client = client_for(fake)
    ids = publish(fake, client, 1)
    asked = ids + [f"urn:li:share:{5000 + i}" for i in range(24)] + ["urn:li:ugcPost:77"]

    got = client.metrics(asked)

    stats = [r for r in fake.requests if r.path == "/rest/organizationalEntityShareStatistics"]
    sizes = sorted(
        (kind, len(r.query[kind][0][5:-1].split(",")))
        for r in stats
        for kind in ("shares", "ugcPosts")
        if kind in r.query
    )
    assert sizes == [("shares", 5), ("shares", 20), ("ugcPosts", 1)]
    assert all(isinstance(v, int) for v in got[ids[0]].values())
    assert got["urn:li:ugcPost:77"]["likes"].kind == NOT_FOUND


@pytest.mark.parametrize("name", NETWORKS)
def test_rate_limits_and_server_errors_raise_for_the_caller_to_wait(fake_factory, fake_time, name):
    fake = fake_factory(name, stall=0.2, clock=fake_time.time)
    client = client_for(fake, timeout=1.0, clock=fake_time.time)
    ids = publish(fake, client, 1)
    fake.faults.add("rate_limit", method="GET")
    with pytest.raises(RateLimited) as limited:
        client.metrics(ids)
    assert limited.value.retry_after == fake.rate_limit_wait  # what the network asked for
    fake.faults.add("error_500", method="GET")
    with pytest.raises(TransientError):
        client.metrics(ids)


@pytest.mark.parametrize("name", ["mastodon", "facebook", "instagram"])
def test_a_revoked_token_asks_for_reconnection(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    ids = publish(fake, client, 1)
    fake.expire_tokens()
    with pytest.raises(ReconnectNeeded) as error:
        client.metrics(ids)
    assert fake.token not in str(error.value)


@pytest.mark.parametrize("name", ["x", "linkedin"])
def test_an_expired_token_is_renewed_and_the_metrics_read(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    ids = publish(fake, client, 1)
    raised = raise_counters(fake, ids, seed=9)
    fake.expire_tokens()

    got = client.metrics(ids)

    assert got[ids[0]] == {m: raised[ids[0]][m] for m in client.metric_names}
    assert fake.refreshes == 1


def test_engage_refuses_what_the_network_does_not_count(fake_factory):
    fake = fake_factory("mastodon")
    with pytest.raises(ValueError, match="mastodon counts no impressions"):
        fake.engage("1", impressions=3)
