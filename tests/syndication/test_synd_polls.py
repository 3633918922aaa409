"""Polls and messages in the library: the poll payloads of X (checked against X's OpenAPI
description, which is shown to refuse a poll it does not allow), Mastodon (posted to the
independently written ``mastodon-mock`` server, which stores the poll) and LinkedIn (its Poll API
as restated in ``tests/fixtures/contracts/linkedin-poll.md``, checked by the fake, which is shown
to refuse what LinkedIn refuses; the votes read back), the networks without polls saying so, a
person's text counted as the network counts it, and Bluesky mentions."""

from __future__ import annotations

import json

import pytest
import requests

from syndication.compose import compose_message, with_mentions
from syndication.errors import NotSyndicable, OverrideTooLong, PollRefused, PostRejected
from syndication.models import Poll, PollResults, Segment, facets_of
from syndication.networks import registry
from syndication.networks.linkedin import unescape
from syndication.networks.mastodon import MastodonClient
from syndication.testing.fakes import client_for
from syndication.testing.fakes.base import Request
from syndication.testing.fakes.linkedin import linkedin_poll_problems, linkedin_problems
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


@pytest.mark.peer
def test_mastodon_poll_results_are_read_back_from_mastodon_mock():
    from mastodon_mock.testing import MockServer

    with MockServer(host="127.0.0.1") as mock:
        client = MastodonClient({"access_token": "alice_token"}, base_url=mock.base_url)
        post = compose_message("Quel jour ?", registry.create("mastodon"), key="d", poll=POLL)
        remote = client.publish(post)
        assert client.poll_results(remote.id) == PollResults(
            ("Oui", "Non", "Peut-être"), (0, 0, 0), 0, closed=False
        )
        poll_id = requests.get(f"{mock.base_url}/api/v1/statuses/{remote.id}", timeout=10).json()[
            "poll"
        ]["id"]
        voted = requests.post(  # Bob votes "Non", as any Mastodon app would
            f"{mock.base_url}/api/v1/polls/{poll_id}/votes",
            headers={"Authorization": "Bearer bob_token"},
            json={"choices": ["1"]},
            timeout=10,
        )
        assert voted.status_code == 200, voted.text
        results = client.poll_results(remote.id)
        plain = client.publish(compose_message("Bonjour", registry.create("mastodon"), key="e"))
        assert client.poll_results(plain.id) is None
    assert results == PollResults(("Oui", "Non", "Peut-être"), (0, 1, 0), 1, closed=False)


@pytest.mark.parametrize("name", ["bluesky", "facebook", "instagram"])
def test_networks_without_polls_say_so(name):
    network = registry.create(name)
    assert not network.can("poll")
    with pytest.raises(PollRefused) as caught:
        compose_message("Qui vient ?", network, key="discussion:3", poll=POLL)
    assert caught.value.reason == "unsupported" and network.label in str(caught.value)


def test_mastodon_x_and_linkedin_can_poll():
    assert all(registry.create(name).can("poll") for name in ("mastodon", "x", "linkedin"))


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


# -- LinkedIn ------------------------------------------------------------------------------------

LINKEDIN_POLL = Poll(("Lyon", "Paris", "En ligne"), 3 * 86400, "Où se retrouver en juin ?")


def linkedin_post(fake, poll=LINKEDIN_POLL, text="Votre avis pour la rencontre d'été ?", **kw):
    network = registry.create("linkedin")
    post = compose_message(text, network, key="discussion:6", poll=poll, **kw)
    return post, client_for(fake).publish(post)


def test_linkedin_poll_is_sent_as_the_poll_api_describes(fake_factory):
    fake = fake_factory("linkedin")
    _post, remote = linkedin_post(fake)
    [sent] = [r for r in fake.requests if r.method == "POST" and r.path == "/rest/posts"]
    assert linkedin_problems(sent) == []  # the fake also answered 201, which needs that
    body = json.loads(sent.body)
    assert body["commentary"] == "Votre avis pour la rencontre d'été ?"
    assert body["content"] == {
        "poll": {
            "question": "Où se retrouver en juin ?",
            "options": [{"text": "Lyon"}, {"text": "Paris"}, {"text": "En ligne"}],
            "settings": {
                "duration": "THREE_DAYS",
                "voteSelectionType": "SINGLE_VOTE",
                "isVoterVisibleToAuthor": True,
            },
        }
    }
    assert remote.id.startswith("urn:li:share:") and fake.posts[0]["id"] == remote.id


GOOD_POLL = {
    "question": "?",
    "options": [{"text": "a"}, {"text": "b"}],
    "settings": {"duration": "ONE_DAY"},
}


@pytest.mark.parametrize(
    "poll",
    [
        {**GOOD_POLL, "options": [{"text": c} for c in "abcde"]},
        {**GOOD_POLL, "options": [{"text": "x" * 31}, {"text": "b"}]},
        {**GOOD_POLL, "question": "q" * 141},
        {**GOOD_POLL, "question": ""},
        {**GOOD_POLL, "settings": {"duration": "TWO_DAYS"}},
        {**GOOD_POLL, "settings": {"duration": "ONE_DAY", "voteSelectionType": "MULTI_VOTE"}},
        {**GOOD_POLL, "options": ["a", "b"]},  # X's shape
        {"options": GOOD_POLL["options"], "duration_minutes": 60},
    ],
    ids=[
        "five-options",
        "long-option",
        "long-question",
        "no-question",
        "unknown-duration",
        "multi-vote",
        "bare-options",
        "x-shape",
    ],
)
def test_the_linkedin_contract_refuses_a_poll_linkedin_refuses(fake_factory, poll):
    assert linkedin_poll_problems(GOOD_POLL) == []
    assert linkedin_poll_problems(poll)
    fake = fake_factory("linkedin")
    client = client_for(fake)
    body = {
        "author": fake.author,
        "commentary": "?",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
        "content": {"poll": poll},
    }
    with pytest.raises(PostRejected) as refused:
        client.request("POST", "/rest/posts", json=body)
    assert refused.value.status == 422 and not fake.posts
    both = {**body, "content": {"poll": GOOD_POLL, "article": {"source": "s", "title": "t"}}}
    with pytest.raises(PostRejected):
        client.request("POST", "/rest/posts", json=both)


@pytest.mark.parametrize(
    ("poll", "reason"),
    [
        (Poll(tuple("abcde"), 86400, "?"), "options"),
        (Poll(("x" * 31, "b"), 86400, "?"), "option_length"),
        (Poll(("a", "b"), 86400, "q" * 141), "question"),
        (Poll(("a", "b"), 86400), "question"),
        (Poll(("a", "b"), 2 * 86400, "?"), "duration"),
        (Poll(("a", "b"), 21 * 86400, "?"), "duration"),
    ],
)
def test_the_linkedin_client_refuses_what_linkedin_would_refuse_before_sending(poll, reason):
    with pytest.raises(PollRefused) as caught:
        compose_message("?", registry.create("linkedin"), key="discussion:7", poll=poll)
    assert caught.value.reason == reason and "LinkedIn" in str(caught.value)


def test_linkedin_accepts_its_four_durations():
    network = registry.create("linkedin")
    for days, name in ((1, "ONE_DAY"), (3, "THREE_DAYS"), (7, "SEVEN_DAYS"), (14, "FOURTEEN_DAYS")):
        post = compose_message("?", network, key="d", poll=Poll(("a", "b"), days * 86400, "?"))
        assert network.request_body(post)["content"]["poll"]["settings"]["duration"] == name


def test_a_linkedin_poll_with_an_item_writes_its_link_in_the_text_and_is_found_again(
    fake_factory,
):
    fake = fake_factory("linkedin")
    item = synthetic_item(8)
    post, remote = linkedin_post(fake, item=item)
    assert post.card is None and post.text.endswith(post.link)
    assert post.length == registry.create("linkedin").measure(post.segments)
    body = fake.posts[0]["body"]
    assert set(body["content"]) == {"poll"}  # one kind of content: no card beside the poll
    assert unescape(body["commentary"]).endswith(post.link)
    assert "utm\\_source=linkedin" in body["commentary"]  # escaped, as LinkedIn reads it
    # after a lost answer, the delivery engine looks the post up: it is found by its link
    found = client_for(fake).find_existing(post)
    assert found is not None and found.id == remote.id
    other = compose_message("?", registry.create("linkedin"), key="d", item=synthetic_item(9))
    assert client_for(fake).find_existing(other) is None


def test_a_linkedin_poll_too_long_with_its_link_says_by_how_much():
    item = synthetic_item(10)
    network = registry.create("linkedin")
    with pytest.raises(OverrideTooLong) as caught:
        compose_message("a" * 2990, network, key="d", item=item, poll=LINKEDIN_POLL)
    assert caught.value.limit == 3000 and caught.value.length > 3000
    assert f"by {caught.value.length - 3000}" in str(caught.value)


def test_linkedin_poll_results_are_read_back(fake_factory):
    fake = fake_factory("linkedin")
    _post, remote = linkedin_post(fake)
    client = client_for(fake)
    assert client.poll_results(remote.id) == PollResults(
        ("Lyon", "Paris", "En ligne"), (0, 0, 0), 0, closed=False
    )
    fake.vote(remote.id, 0, "urn:li:person:a")
    fake.vote(remote.id, 2, "urn:li:person:b")
    fake.vote(remote.id, 0, "urn:li:person:c")
    fake.vote(remote.id, 1, "urn:li:person:c")  # a member's second vote replaces the first
    results = client.poll_results(remote.id)
    assert results is not None
    assert (results.votes, results.voters, results.closed) == ((1, 1, 1), 3, False)
    plain = client.publish(compose_message("Bonjour", registry.create("linkedin"), key="d"))
    assert client.poll_results(plain.id) is None
