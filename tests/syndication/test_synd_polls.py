"""Polls and messages in the library: the poll payloads of X (checked against X's OpenAPI
description, which is shown to refuse a poll it does not allow) and Mastodon (posted to the
independently written ``mastodon-mock`` server, which stores the poll), the networks without
polls saying so, a person's text counted as the network counts it, and Bluesky mentions."""

from __future__ import annotations

import json

import pytest
import requests

from syndication.compose import compose_message, with_mentions
from syndication.errors import NotSyndicable, OverrideTooLong, PollRefused
from syndication.models import Poll, Segment, facets_of
from syndication.networks import registry
from syndication.networks.mastodon import MastodonClient
from syndication.testing.fakes import client_for
from syndication.testing.fakes.base import Request
from syndication.testing.worker import synthetic_item
from tests.syndication.test_synd_contracts import mock_request

pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")

POLL = Poll(("Oui", "Non", "Peut-être"), 24 * 3600)


def test_x_poll_is_sent_as_the_openapi_description_says(fake_factory, x_openapi):
    fake = fake_factory("x")
    network = registry.create("x")
    post = compose_message("Viendrez-vous au gala ?", network, key="discussion:1", poll=POLL)
    client_for(fake).publish(post)
    sent = [r for r in fake.requests if r.method == "POST" and r.path == "/2/tweets"]
    assert len(sent) == 1
    body = json.loads(sent[0].body)
    assert body == {
        "text": "Viendrez-vous au gala ?",
        "poll": {"options": ["Oui", "Non", "Peut-être"], "duration_minutes": 1440},
    }
    x_openapi.validate_request(mock_request(sent[0]))


@pytest.mark.parametrize(
    "poll",
    [
        {"options": ["a", "b", "c", "d", "e"], "duration_minutes": 60},  # 5 options
        {"options": ["x" * 26, "b"], "duration_minutes": 60},  # an option over 25
        {"options": ["a", "b"], "duration_minutes": 10081},  # over 7 days
        {"options": ["a", "b"], "expires_in": 3600},  # Mastodon's name for the duration
    ],
    ids=["five-options", "long-option", "too-long", "mastodon-field"],
)
def test_the_x_description_refuses_a_poll_it_does_not_allow(x_openapi, poll):
    from openapi_core.validation.request.exceptions import RequestValidationError

    def request(body: dict) -> Request:
        headers = {"content-type": "application/json"}
        return Request("POST", "/2/tweets", {}, headers, json.dumps(body).encode())

    x_openapi.validate_request(
        mock_request(request({"text": "?", "poll": {"options": ["a", "b"], "duration_minutes": 5}}))
    )
    with pytest.raises(RequestValidationError):
        x_openapi.validate_request(mock_request(request({"text": "?", "poll": poll})))


@pytest.mark.parametrize(
    ("poll", "reason"),
    [
        (Poll(("a", "b", "c", "d", "e"), 3600), "options"),
        (Poll(("x" * 26, "b"), 3600), "option_length"),
        (Poll(("a", "b"), 8 * 24 * 3600), "duration"),
        (Poll(("a", "b"), 60), "duration"),
    ],
)
def test_the_x_client_refuses_what_x_would_refuse_before_sending(poll, reason):
    network = registry.create("x")
    with pytest.raises(PollRefused) as caught:
        compose_message("?", network, key="discussion:1", poll=poll)
    assert caught.value.reason == reason


@pytest.mark.peer
def test_mastodon_poll_on_mastodon_mock():
    from mastodon_mock.testing import MockServer

    with MockServer(host="127.0.0.1") as mock:
        client = MastodonClient({"access_token": "alice_token"}, base_url=mock.base_url)
        network = registry.create("mastodon")
        post = compose_message(
            "Quel thème pour la prochaine rencontre ?", network, key="discussion:2", poll=POLL
        )
        assert network.request_body(post)["poll"] == {
            "options": ["Oui", "Non", "Peut-être"],
            "expires_in": 86400,
        }
        remote = client.publish(post)
        status = requests.get(
            f"{mock.base_url}/api/v1/statuses/{remote.id}",
            headers={"Authorization": "Bearer alice_token"},
            timeout=10,
        ).json()
    assert [o["title"] for o in status["poll"]["options"]] == ["Oui", "Non", "Peut-être"]
    assert status["poll"]["expires_at"] and not status["poll"]["expired"]


@pytest.mark.parametrize("name", ["bluesky", "linkedin", "facebook", "instagram"])
def test_networks_without_polls_say_so(name):
    network = registry.create(name)
    assert not network.can("poll")
    with pytest.raises(PollRefused) as caught:
        compose_message("Qui vient ?", network, key="discussion:3", poll=POLL)
    assert caught.value.reason == "unsupported" and network.label in str(caught.value)


def test_mastodon_and_x_can_poll():
    assert registry.create("mastodon").can("poll") and registry.create("x").can("poll")


def test_a_message_is_counted_as_the_network_counts_it():
    x = registry.create("x")
    post = compose_message("Merci à @camille pour son article !", x, key="discussion:4")
    assert post.length == len(post.text) and post.link == "" and post.item_url == ""
    with pytest.raises(OverrideTooLong) as caught:
        compose_message("é" * 281, x, key="discussion:4")
    assert caught.value.length == 281 and caught.value.limit == 280
    emoji = compose_message("🎉" * 140, x, key="discussion:4")  # X weighs an emoji 2
    assert emoji.length == 280
    with pytest.raises(NotSyndicable):
        compose_message("Bonjour", registry.create("instagram"), key="discussion:4")


def test_a_message_with_an_item_carries_its_link_and_card():
    item = synthetic_item(5)
    post = compose_message("Merci !", registry.create("bluesky"), key="discussion:5", item=item)
    assert post.item_key == "discussion:5" and post.card is not None
    assert post.link.startswith(item.url) and "utm_source=bluesky" in post.link
    fb = compose_message("Merci !", registry.create("facebook"), key="discussion:5")
    assert registry.create("facebook").request_body(fb) == {
        "message": "Merci !",
        "published": "true",
    }


def test_bluesky_mentions_become_facets_once_resolved():
    segments = with_mentions([Segment("Merci @camille.bsky.social et @x, bravo")])
    assert [(s.kind, s.value) for s in segments] == [
        ("text", ""),
        ("mention", "camille.bsky.social"),
        ("text", ""),
    ]
    assert facets_of(segments) == []  # not resolved yet: no facet
    resolved = [
        Segment(s.text, "mention", "did:plc:abc") if s.kind == "mention" else s for s in segments
    ]
    start = len(b"Merci ")
    assert facets_of(resolved) == [
        {
            "index": {"byteStart": start, "byteEnd": start + len("@camille.bsky.social")},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:abc"}],
        }
    ]
