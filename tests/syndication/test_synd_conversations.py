"""Conversations against the fakes: replies, comments and mentions pulled incrementally, answered
in the thread exactly once through the delivery engine, liked and hidden where the network
allows, and refused plainly (a typed capability error) where it does not."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from syndication.compose import compose
from syndication.conversations import (
    ACTIONS,
    ANSWER,
    COMMENT,
    HIDE,
    KINDS,
    LIKE,
    MENTION,
    REPLY,
    Message,
    Watermark,
    capability_table,
    compose_reply,
    pull_all,
    text_matches,
)
from syndication.delivery import DeliveryEngine
from syndication.errors import CapabilityError, OverrideTooLong, PartialPull, RateLimited
from syndication.http import Client
from syndication.ledger import State
from syndication.models import ImageRef
from syndication.networks import registry
from syndication.policy import RetryPolicy
from syndication.sqlite import SQLiteLedger
from syndication.testing.fakes import client_for
from syndication.testing.worker import synthetic_item

NETWORKS = ["mastodon", "x", "linkedin", "facebook", "instagram"]
#: The path of the call that posts an answer, per network (for fault injection).
ANSWER_PATHS = {
    "mastodon": r"/api/v1/statuses$",
    "x": r"/2/tweets$",
    "linkedin": r"/comments$",
    "facebook": r"/comments$",
    "instagram": r"/replies$",
}


def publish(fake, client, n: int = 1) -> str:
    item = synthetic_item(n)
    if fake.network == "instagram":  # Meta fetches it; no client downloads it
        item.image = ImageRef(url=f"https://alumni.example.org/img/{n}.jpg", alt="photo")
    return client.publish(compose(item, registry.create(fake.network))).id


def incoming(fake, post: str, text: str, parent: str | None = None) -> str:
    """Someone else answers ``parent`` (or comments ``post``), as each network allows."""
    if fake.network in ("mastodon", "x"):
        return fake.add_reply(parent or post, text)
    return fake.add_comment(post, text, parent=parent)


def engine_for(fake, tmp_path) -> DeliveryEngine:
    return DeliveryEngine(
        SQLiteLedger(tmp_path / "ledger.sqlite3"),
        policy=RetryPolicy(rng=random.Random(3)),
        sleep=lambda seconds: fake.wait_idle(),
        sending_lease=0,
    )


@pytest.mark.parametrize("name", NETWORKS)
def test_pull_is_incremental_and_misses_nothing(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    post = publish(fake, client)
    first = incoming(fake, post, "Bravo ! Quand a lieu la prochaine rencontre ?")
    incoming(fake, post, "Je me pose la même question", parent=first)
    incoming(fake, post, "Merci pour cette nouvelle")

    messages, cursor = client.fetch_conversations(None, posts=[post])
    assert [m.text.replace("@alumni ", "") for m in messages] == [
        "Bravo ! Quand a lieu la prochaine rencontre ?",
        "Je me pose la même question",
        "Merci pour cette nouvelle",
    ]
    expected_kind = REPLY if name in ("mastodon", "x") else COMMENT
    for message in messages:
        assert message.network == name and message.kind == expected_kind
        assert message.post == post and message.root == post
        if name == "instagram":  # Instagram names commenters by username only
            assert message.author_handle == fake.other["handle"] and not message.author_id
        else:
            assert message.author_id == fake.other["id"]
        if name != "linkedin":  # LinkedIn gives the commenter's URN only (a declared gap)
            assert message.author_handle or message.author_name
        assert isinstance(message.created_at, dt.datetime)
    assert messages[0].parent == post and messages[1].parent == first
    assert messages[2].parent == post

    again, same = client.fetch_conversations(cursor, posts=[post])
    assert again == [] and same == cursor
    late = incoming(fake, post, "Et pour les promos 2010 ?")
    news, _ = client.fetch_conversations(cursor, posts=[post])
    assert [m.id for m in news] == [late]


@pytest.mark.parametrize("name", NETWORKS)
def test_a_burst_larger_than_a_page_leaves_no_gap(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    post = publish(fake, client)
    messages, cursor = client.fetch_conversations(None, posts=[post])
    assert messages == []
    sent = [incoming(fake, post, f"Commentaire numéro {n}") for n in range(130)]
    messages, cursor = client.fetch_conversations(cursor, posts=[post])
    assert [m.id for m in messages] == sent
    assert client.fetch_conversations(cursor, posts=[post])[0] == []


@pytest.mark.parametrize("name", ["mastodon", "x"])
def test_mentions_outside_the_posts(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    mention = fake.add_mention("Qui connaît l'association des anciens ?")
    messages, _ = client.fetch_conversations(None)
    assert [(m.id, m.kind, m.post) for m in messages] == [(mention, MENTION, "")]


@pytest.mark.parametrize("name", NETWORKS)
def test_answer_in_the_thread_exactly_once_when_its_answer_is_lost(fake_factory, tmp_path, name):
    fake = fake_factory(name)
    client = client_for(fake, timeout=0.5)
    post = publish(fake, client)
    first = incoming(fake, post, "Quand a lieu la prochaine rencontre ?")
    incoming(fake, post, "Et où ?", parent=first)
    messages, _ = client.fetch_conversations(None, posts=[post])
    question = messages[1]
    reply = compose_reply(
        question, "Le 12 juin à Lyon, à la Maison des ingénieurs.", client.network
    )

    fake.faults.add("reset_after", method="POST", path=ANSWER_PATHS[name])
    entry = engine_for(fake, tmp_path).deliver(reply, client, "account-1")

    assert entry.state == State.SENT and entry.attempt == 1
    assert "found on the network" in entry.reason
    assert len(fake.answers) == 1, fake.answers
    answer = fake.answers[0]
    assert answer["id"] == entry.remote_id
    # in the thread: under the message (Mastodon, X), or under its first-level comment
    assert answer["parent"] in (question.id, question.refs.get("thread"))
    assert text_matches(reply.text, answer["text"])
    # the same answer again: the ledger says it is done, nothing is sent
    again = engine_for(fake, tmp_path).deliver(reply, client, "account-1")
    assert again.remote_id == entry.remote_id and len(fake.answers) == 1
    # the account's own answer never comes back as a message to answer
    _, cursor = client.fetch_conversations(None, posts=[post])
    assert all(m.id != entry.remote_id for m in client.fetch_conversations(None, posts=[post])[0])
    assert cursor


@pytest.mark.parametrize("name", NETWORKS)
def test_two_answers_to_one_message_are_two_lines_of_the_ledger(fake_factory, tmp_path, name):
    fake = fake_factory(name)
    client = client_for(fake)
    post = publish(fake, client)
    incoming(fake, post, "Une question ?")
    message = client.fetch_conversations(None, posts=[post])[0][0]
    engine = engine_for(fake, tmp_path)
    one = engine.deliver(compose_reply(message, "Oui !", client.network, key="a1"), client, "acc")
    two = engine.deliver(
        compose_reply(message, "Et merci de l'avoir posée.", client.network, key="a2"),
        client,
        "acc",
    )
    assert one.item_key != two.item_key and one.remote_id != two.remote_id
    assert len(fake.answers) == 2


@pytest.mark.parametrize("name", NETWORKS)
def test_like_and_hide_as_declared(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    post = publish(fake, client)
    incoming(fake, post, "Super article")
    message = client.fetch_conversations(None, posts=[post])[0][0]
    network = client.network
    if network.can(LIKE):
        client.like(message)
        client.like(message)  # twice is harmless
        assert fake.liked == {message.id}
    else:
        with pytest.raises(CapabilityError) as refused:
            client.like(message)
        assert refused.value.capability == LIKE and fake.liked == set()
        assert "Instagram does not let Relais do this" in str(refused.value)
    if network.can(HIDE):
        client.hide(message)
        assert fake.hidden == {message.id}
        client.hide(message, hidden=False)
        assert fake.hidden == set()
    else:
        with pytest.raises(CapabilityError) as refused:
            client.hide(message)
        assert refused.value.capability == HIDE and fake.hidden == set()


def test_each_network_declares_what_it_pulls_and_does():
    """The table the README shows: what each network gives, does, and cannot. A declared
    action has its call; an undeclared one is the base class's refusal."""
    assert set(registry) == {"bluesky", *NETWORKS}
    for name, cls in registry.items():
        network = cls()
        assert network.pulls and network.pulls <= set(KINDS), name
        assert network.actions <= set(ACTIONS) and ANSWER in network.actions, name
        assert network.pull_endpoints and network.conversation_gaps, name
        client_class = cls.client_class
        for action, method in ((ANSWER, "reply"), (LIKE, "like"), (HIDE, "hide")):
            overridden = getattr(client_class, method) is not getattr(Client, method)
            assert overridden == network.can(action), (name, action)
        assert client_class.fetch_conversations is not Client.fetch_conversations, name


def test_the_readme_shows_what_each_network_gives():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert capability_table(cls() for cls in registry.values()) in readme


def test_a_refused_access_level_is_a_capability_error_and_the_others_go_on(fake_factory):
    fakes = {name: fake_factory(name) for name in NETWORKS}
    clients = {name: client_for(fake) for name, fake in fakes.items()}
    posts = {name: [publish(fakes[name], clients[name])] for name in NETWORKS}
    for name in NETWORKS:
        incoming(fakes[name], posts[name][0], "Bonjour !")
    fakes["x"].mentions_allowed = False
    fakes["facebook"].comments_allowed = False
    fakes["linkedin"].comments_allowed = False

    results = pull_all(clients, {"x": "1800000000000000001"}, posts)

    for name in ("x", "facebook", "linkedin"):
        error = results[name].error
        assert isinstance(error, CapabilityError) and error.capability == "pull", name
        assert "The other networks are not affected" in str(error)
        assert fakes[name].token not in str(error)
        assert results[name].messages == ()
    assert results["x"].cursor == "1800000000000000001"  # nothing skipped: read again later
    for name in ("mastodon", "instagram"):
        assert results[name].error is None and len(results[name].messages) == 1


def test_x_thread_by_conversation_search_and_its_refusal(fake_factory):
    fake = fake_factory("x")
    client = client_for(fake)
    post = publish(fake, client)
    first = fake.add_reply(post, "Première réponse")
    fake.add_reply(first, "Réponse à la réponse")
    messages, _ = client.fetch_conversations(None, posts=[post])
    thread = client.fetch_thread(messages[1])
    assert thread.root == post
    assert thread.messages[0].id == post and len(thread.messages) == 3
    fake.search_allowed = False
    with pytest.raises(CapabilityError) as refused:
        client.fetch_thread(messages[1])
    assert refused.value.capability == "thread" and refused.value.status == 403


def test_mastodon_thread_from_the_context(fake_factory):
    fake = fake_factory("mastodon")
    client = client_for(fake)
    post = publish(fake, client)
    first = fake.add_reply(post, "Première réponse")
    second = fake.add_reply(first, "Réponse à la réponse")
    fake.add_reply(second, "Et une troisième")
    messages, _ = client.fetch_conversations(None)
    assert [m.post for m in messages] == [post] * 3  # the root found through the context
    thread = client.fetch_thread(messages[1])
    assert thread.root == post
    assert [m.id for m in thread.messages] == [post, first, second, messages[2].id]


def test_linkedin_like_a_second_time_is_harmless(fake_factory):
    fake = fake_factory("linkedin")
    client = client_for(fake)
    post = publish(fake, client)
    fake.add_comment(post, "Bravo")
    message = client.fetch_conversations(None, posts=[post])[0][0]
    client.like(message)
    client.like(message)  # LinkedIn answers 409
    assert [r.response.status for r in fake.requests if r.path == "/rest/reactions"] == [201, 409]


# -- composing answers --------------------------------------------------------------------------


def message_on(network: str, **fields) -> Message:
    base = {"network": network, "id": "1", "kind": REPLY, "text": "Une question ?"}
    return Message(**{**base, **fields})


def test_answers_are_counted_as_posts_are():
    x = registry.create("x")
    link = "https://alumni.example.org/evenements/" + "rencontre-" * 20
    text = "Tout est là : " + link
    reply = compose_reply(message_on("x"), text, x)
    assert reply.length == len("Tout est là : ") + 23  # a link weighs 23 on X
    with pytest.raises(OverrideTooLong, match="shorten it by 1"):
        compose_reply(message_on("x"), "é" * 281, x)
    linkedin = registry.create("linkedin")
    compose_reply(message_on("linkedin", kind=COMMENT), "a" * 1250, linkedin)
    with pytest.raises(OverrideTooLong, match="the limit is 1250: shorten it by 10"):
        compose_reply(message_on("linkedin", kind=COMMENT), "a" * 1260, linkedin)
    bluesky = registry.create("bluesky")
    with pytest.raises(OverrideTooLong, match="3000"):
        compose_reply(message_on("bluesky"), "👩‍👩‍👧‍👦" * 200, bluesky)  # 200 graphemes, 5000 bytes
    with pytest.raises(OverrideTooLong, match="empty"):
        compose_reply(message_on("x"), "   ", x)


def test_a_mastodon_answer_names_the_person_answered():
    mastodon = registry.create("mastodon")
    message = message_on("mastodon", author_handle="lea@autre.example")
    assert compose_reply(message, "Merci !", mastodon).text == "@lea@autre.example Merci !"
    named = compose_reply(message, "Merci @lea@autre.example !", mastodon)
    assert named.text == "Merci @lea@autre.example !"
    limited = registry.create("mastodon", max_length=30)
    with pytest.raises(OverrideTooLong):  # the handle counts
        compose_reply(message, "x" * 20, limited)


def test_the_ledger_key_of_an_answer():
    message = message_on("mastodon", id="1002")
    reply = compose_reply(message, "Merci", registry.create("mastodon"), key="answer-17")
    assert reply.item_key == "reply/mastodon/1002/answer-17" and reply.network == "mastodon"


# -- reading incrementally ----------------------------------------------------------------------


def test_the_watermark_keeps_messages_of_the_same_second():
    stamp = "2026-11-20T10:00:00+0000"
    first = [{"id": "a", "t": stamp}, {"id": "b", "t": stamp}]
    fresh, mark = Watermark().fresh(first, lambda e: e["t"], lambda e: e["id"])
    assert [e["id"] for e in fresh] == ["a", "b"]
    later = [
        *first,
        {"id": "c", "t": "2026-11-20T10:00:00Z"},
        {"id": "d", "t": "2026-11-20T09:59:59Z"},
    ]
    fresh, mark = mark.fresh(later, lambda e: e["t"], lambda e: e["id"])
    assert [e["id"] for e in fresh] == ["c"]  # same second, not seen yet; the older one was
    assert Watermark.from_json(mark.as_json()) == mark


def test_the_watermark_looks_back_for_entries_listed_late():
    """A network listing an entry after newer ones (its index caught up late): read within the
    look-back, each entry once, and the ids older than the look-back forgotten."""
    lookback = dt.timedelta(minutes=15)

    def read(mark, entries):
        fresh, mark = mark.fresh(entries, lambda e: e["t"], lambda e: e["id"], lookback=lookback)
        return [e["id"] for e in fresh], mark

    listed = [{"id": "a", "t": "2026-11-20T10:00:00Z"}, {"id": "b", "t": "2026-11-20T10:05:00Z"}]
    got, mark = read(Watermark(), listed)
    assert got == ["a", "b"]
    late = {"id": "late", "t": "2026-11-20T10:03:00Z"}  # written before b, listed after it
    got, mark = read(mark, [*listed, late])
    assert got == ["late"]
    got, mark = read(mark, [*listed, late])
    assert got == []  # nothing twice
    # without a look-back, the late entry would have been lost
    _fresh, plain = Watermark().fresh(listed, lambda e: e["t"], lambda e: e["id"])
    assert plain.fresh([late], lambda e: e["t"], lambda e: e["id"])[0] == []
    # older than the look-back: not read again, and forgotten by the mark
    got, mark = read(mark, [{"id": "c", "t": "2026-11-20T11:00:00Z"}, *listed])
    assert got == ["c"] and mark.ids == {"c"}
    assert read(mark, [{"id": "old", "t": "2026-11-20T10:40:00Z"}])[0] == []
    assert Watermark.from_json(mark.as_json()) == mark


def test_a_cursor_written_before_the_look_back_is_still_read():
    mark = Watermark.from_json(["2026-11-20T10:00:00.000000Z", ["a", "b"]])
    assert mark.ids == {"a", "b"} and mark.time == "2026-11-20T10:00:00.000000Z"
    assert Watermark.from_json("nonsense") == Watermark()


def test_text_matches_what_the_networks_give_back():
    sent = "@lea@autre.example Le 12 juin, voir https://alumni.example.org/evenements/x/"
    assert text_matches(
        sent,
        '<p><span class="h-card"><a href="https://autre.example/@lea">@<span>lea</span></a></span>'
        ' Le 12 juin, voir <a href="https://alumni.example.org/evenements/x/">alumni.example.org'
        "/evenements/x/</a></p>",
    )
    assert text_matches(sent, "@lea Le 12 juin, voir https://t.co/abc")
    assert not text_matches(sent, "Le 13 juin")
    assert not text_matches("", "")


def test_a_read_failing_once_is_read_again_and_a_rate_limit_is_not(fake_factory):
    fake = fake_factory("mastodon")
    client = client_for(fake, sleep=lambda seconds: None)
    post = publish(fake, client)
    fake.add_reply(post, "Bonjour")
    fake.faults.add("error_500", method="GET", path="/notifications")
    messages, cursor = client.fetch_conversations(None, posts=[post])
    assert len(messages) == 1  # the failed read was done again at once
    fake.faults.add("rate_limit", method="GET", path="/notifications")
    before = len(fake.requests)
    with pytest.raises(RateLimited) as limited:
        client.fetch_conversations(cursor, posts=[post])
    assert len(fake.requests) == before + 1  # not asked again: the caller waits
    assert limited.value.retry_after is not None and limited.value.retry_after > 0


@pytest.mark.parametrize("name", ["facebook", "linkedin", "instagram"])
def test_a_pull_stopped_half_way_keeps_what_it_read(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake, sleep=lambda seconds: None)
    first, second = publish(fake, client, 1), publish(fake, client, 2)
    on_first = incoming(fake, first, "Sur le premier")
    on_second = incoming(fake, second, "Sur le second")
    # the second post's comments fail more often than a read is tried again
    fake.faults.add("error_500", method="GET", path=re.escape(quote(second, safe="")), times=3)
    with pytest.raises(PartialPull) as stopped:
        client.fetch_conversations(None, posts=[first, second])
    assert [m.id for m in stopped.value.messages] == [on_first]
    assert "the next pull goes on from there" in str(stopped.value)
    messages, _ = client.fetch_conversations(stopped.value.cursor, posts=[first, second])
    assert [m.id for m in messages] == [on_second]  # nothing lost, nothing twice
