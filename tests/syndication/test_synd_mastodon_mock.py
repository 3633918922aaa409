"""The Mastodon client against an independently written server: ``mastodon-mock`` (PyPI), a
FastAPI + SQLite implementation of Mastodon's client API, started on loopback by the test. Its
accounts ``alice`` (the association) and ``bob`` (a member) come from its default seed; bob
writes through the API as any Mastodon app would."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator

import pytest
import requests

from syndication.compose import compose
from syndication.conversations import REPLY, compose_reply
from syndication.delivery import DeliveryEngine
from syndication.errors import PostRejected
from syndication.ledger import State
from syndication.networks import registry
from syndication.networks.mastodon import MastodonClient
from syndication.policy import RetryPolicy
from syndication.sqlite import SQLiteLedger
from syndication.testing.worker import synthetic_item

pytestmark = pytest.mark.peer


@pytest.fixture
def server() -> Iterator[str]:
    from mastodon_mock.testing import MockServer

    with MockServer(host="127.0.0.1") as mock:
        yield mock.base_url


def as_bob(server: str, text: str, parent: str) -> str:
    response = requests.post(
        f"{server}/api/v1/statuses",
        headers={"Authorization": "Bearer bob_token"},
        json={"status": text, "in_reply_to_id": parent},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


class LoseTheAnswer(requests.Session):
    """Sends the first answer (a status in reply to another), then loses the server's answer
    as a reset connection would."""

    lost = 0

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        response = super().send(request, **kwargs)
        body = request.body or b""
        if request.method == "POST" and b"in_reply_to_id" in body and not self.lost:
            self.lost += 1
            raise requests.exceptions.ConnectionError("connection reset after the request")
        return response


def test_pull_answer_once_and_favourite_on_mastodon_mock(server, tmp_path):
    client = MastodonClient(
        {"access_token": "alice_token"}, base_url=server, session=LoseTheAnswer()
    )
    post = client.publish(compose(synthetic_item(1), registry.create("mastodon"))).id
    first = as_bob(server, "@alice Bravo ! Quand a lieu la rencontre ?", post)
    second = as_bob(server, "@alice Et où ?", first)

    messages, cursor = client.fetch_conversations(None)
    assert [(m.id, m.kind, m.post, m.parent) for m in messages] == [
        (first, REPLY, post, post),
        (second, REPLY, post, first),  # its thread's root found through the status context
    ]
    assert messages[0].author_handle == "bob" and messages[0].author_name == "Bob"
    assert messages[0].text == "@alice Bravo ! Quand a lieu la rencontre ?"
    assert client.fetch_conversations(cursor) == ([], cursor)

    reply = compose_reply(messages[1], "Le 12 juin, à Lyon.", client.network)
    assert reply.text == "@bob Le 12 juin, à Lyon."
    engine = DeliveryEngine(
        SQLiteLedger(tmp_path / "ledger.sqlite3"),
        policy=RetryPolicy(rng=random.Random(1)),
        sleep=lambda seconds: None,
    )
    entry = engine.deliver(reply, client, "alice")
    assert client.session.lost == 1  # the answer was sent, and its answer lost
    assert entry.state == State.SENT and entry.attempt == 1
    assert "found on the network" in entry.reason
    context = requests.get(
        f"{server}/api/v1/statuses/{second}/context",
        headers={"Authorization": "Bearer alice_token"},
        timeout=10,
    ).json()
    answers = [s for s in context["descendants"] if s["account"]["acct"] == "alice"]
    assert [s["id"] for s in answers] == [entry.remote_id]
    assert answers[0]["in_reply_to_id"] == second

    thread = client.fetch_thread(messages[1])
    assert [m.id for m in thread.messages] == [post, first, second, entry.remote_id]

    client.like(messages[0])
    client.like(messages[0])
    status = requests.get(
        f"{server}/api/v1/statuses/{first}",
        headers={"Authorization": "Bearer alice_token"},
        timeout=10,
    ).json()
    assert status["favourited"] is True and status["favourites_count"] == 1


def test_mastodon_mock_refuses_what_its_server_refuses(server):
    """The server checks what the client sends: an answer longer than its limit (a network
    told a larger one lets it through the composer) and a favourite of an unknown status.
    mastodon-mock accepts an answer to a status it does not have (Mastodon answers 404): the
    project's fake refuses it, as Mastodon does."""
    client = MastodonClient({"access_token": "alice_token"}, base_url=server)
    post = client.publish(compose(synthetic_item(2), registry.create("mastodon"))).id
    as_bob(server, "@alice Une question", post)
    message = client.fetch_conversations(None)[0][0]
    too_long = compose_reply(message, "mot " * 150, registry.create("mastodon", max_length=1000))
    with pytest.raises(PostRejected) as refused:
        client.reply(too_long)
    assert refused.value.status == 422 and "too long" in str(refused.value)
    ghost = dataclasses.replace(message, id="999999999")
    with pytest.raises(PostRejected) as refused:
        client.like(ghost)
    assert refused.value.status == 404
