"""The desk under pressure (the issue's fault run): 500 incoming replies and comments on two
networks (the contract fakes of Mastodon and Facebook), pulled by the desk's own pull, and 100
answers written in the desk and posted by its task, with 30 % of the requests failing (errors,
stalls, rate limits, responses lost after the server acted) → every message stored once, every
answer on the network once."""

from __future__ import annotations

import random
from collections import Counter

from cms.conversations import desk, pulling
from cms.conversations.answering import retry
from cms.conversations.models import Answer, IncomingMessage
from cms.conversations.tasks import answer_task
from syndication.compose import compose
from syndication.http import Client
from syndication.networks import registry
from syndication.testing.fakes import client_for
from syndication.testing.worker import synthetic_item
from tests.convdesk.support import fake_account, posted

PER_NETWORK = 250
ANSWERS_PER_NETWORK = 50
POSTS = 3


def test_500_messages_and_100_answers_under_30_percent_faults(
    two_sites, fake_factory, a_volunteer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.RELAIS_SOCIAL_DELIVERY = {"timeout": 0.15, "max_inline_delay": 0.5, "check_delay": 0}
    monkeypatch.setattr(Client, "read_retry_wait", 0.0)
    a = two_sites["a"]
    fakes = {name: fake_factory(name, stall=0.3) for name in ("mastodon", "facebook")}
    injected: dict[str, list[str]] = {}
    for name, fake in fakes.items():
        account = fake_account(a["site"], fake)
        client = client_for(fake)
        posts = [
            client.publish(compose(synthetic_item(n), registry.create(name))).id
            for n in range(POSTS)
        ]
        for n, post in enumerate(posts):
            posted(a, account, post, slug=f"{name}-{n}")
        rng = random.Random(name)
        made: list[str] = []
        for n in range(PER_NETWORK):
            post = posts[n % POSTS]
            text = f"Message {n} : une question ?"
            if name == "mastodon":
                parent = rng.choice(made) if made and n % 5 == 4 else post
                made.append(fake.add_reply(parent, text))
            else:
                made.append(fake.add_comment(post, text))
        injected[name] = made
        fake.faults.randomize(0.3, seed=7)

    figures: Counter[str] = Counter()
    for _ in range(200):  # the clock pulls again and again; a failed pull is done again
        results = pulling.pull()
        figures["pulls"] += len(results)
        figures["pulls stopped"] += sum(1 for r in results if r.error)
        if all(not r.error and r.read == 0 for r in results):
            break
    stored = Counter(IncomingMessage.objects.values_list("network", flat=True))
    assert stored == {name: PER_NETWORK for name in fakes}, figures
    for name, ids in injected.items():
        assert set(
            IncomingMessage.objects.filter(network=name).values_list("remote_id", flat=True)
        ) == set(ids)

    chosen = []
    for name in fakes:
        messages = IncomingMessage.objects.filter(network=name).order_by("pk")
        chosen += list(messages[:ANSWERS_PER_NETWORK])
    for message in chosen:
        with django_capture_on_commit_callbacks(execute=True):
            desk.write_answer(message, f"Réponse à {message.remote_id}", a_volunteer)
    for _ in range(100):  # a later run of each answer that is not done (deferred, to check)
        waiting = Answer.objects.exclude(state=Answer.State.SENT)
        if not waiting.exists():
            break
        for answer in waiting:
            if answer.state == Answer.State.FAILED:  # a person presses "Réessayer"
                figures["answers given up and retried"] += 1
                retry(answer)
            Answer.objects.filter(pk=answer.pk).update(retry_at=None)
            answer_task.call(answer.pk)
    assert not Answer.objects.exclude(state=Answer.State.SENT).exists()

    for name, fake in fakes.items():
        on_network = Counter(a["parent"] for a in fake.answers)
        answered = [m for m in chosen if m.network == name]
        # one answer per message on the network: nothing lost, nothing twice
        for message in answered:
            expected_parent = (
                message.remote_id
                if name == "mastodon"
                else message.refs.get("thread") or message.remote_id
            )
            assert on_network[expected_parent] >= 1, message.remote_id
        assert len(fake.answers) == len(answered), (name, len(fake.answers))
        figures[f"{name} faults"] = sum(fake.faults.injected.values())
    assert IncomingMessage.objects.filter(state=IncomingMessage.State.ANSWERED).count() == len(
        chosen
    )
    assert figures["mastodon faults"] > 10 and figures["facebook faults"] > 10, figures
    print(dict(figures))
