"""The conversations under pressure: 500 incoming comments spread over the five fakes, pulled
incrementally, and 100 answers delivered through the engine, with 30 % of the requests failing
(errors, stalls, answers lost after the server acted) → nothing lost, nothing answered twice."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

from syndication.conversations import compose_reply, text_matches
from syndication.delivery import DeliveryEngine
from syndication.errors import PartialPull, TransientError
from syndication.ledger import State
from syndication.networks import registry
from syndication.policy import RetryPolicy
from syndication.sqlite import SQLiteLedger
from syndication.testing.fakes import RANDOM_FAULTS, CountingSession, client_for
from tests.syndication.test_synd_conversations import NETWORKS, incoming, publish

COMMENTS = 500
ANSWERS = 100
POSTS_PER_NETWORK = 4
#: Faults where the server acts, then the answer is lost (errors, stalls, resets).
AFTER = ("error_500_after", "timeout_after", "reset_after")


def test_500_comments_and_100_answers_under_30_percent_faults(fake_factory, tmp_path):
    per_network = COMMENTS // len(NETWORKS)
    answers_per_network = ANSWERS // len(NETWORKS)
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    fakes = {name: fake_factory(name, stall=0.2) for name in NETWORKS}
    sessions = {name: CountingSession(fakes[name].url) for name in NETWORKS}
    clients = {
        # the client's own short waits (a read tried again at once) are not slept either
        name: client_for(fake, timeout=0.1, session=sessions[name], sleep=lambda seconds: None)
        for name, fake in fakes.items()
    }
    posts = {
        name: [publish(fakes[name], clients[name], n) for n in range(POSTS_PER_NETWORK)]
        for name in NETWORKS
    }
    injected: dict[str, list[str]] = {name: [] for name in NETWORKS}
    on_post: dict[str, list[str]] = {}

    def inject(name: str, count: int) -> None:
        rng = random.Random(name)
        for n in range(count):
            post = posts[name][n % POSTS_PER_NETWORK]
            # one in five answers an earlier comment of the same post (a thread)
            earlier = on_post.setdefault(post, [])
            parent = rng.choice(earlier) if earlier and n % 5 == 4 else None
            made = incoming(fakes[name], post, f"Commentaire {n} sur {post[-6:]}", parent=parent)
            injected[name].append(made)
            earlier.append(made)

    seen: dict[str, Counter[str]] = {name: Counter() for name in NETWORKS}
    pulled: dict[str, list] = {name: [] for name in NETWORKS}
    figures: dict[str, Counter[str]] = {name: Counter() for name in NETWORKS}
    errors: list[BaseException] = []

    def pull_until_quiet(name: str, cursor: str | None) -> str | None:
        """Pull again and again (a failed pull is simply done again from the same cursor)
        until a pull succeeds with nothing new."""
        for _ in range(400):
            try:
                messages, cursor = clients[name].fetch_conversations(cursor, posts=posts[name])
            except PartialPull as stopped:  # keep what was read, go on from there
                figures[name]["partial pulls"] += 1
                for message in stopped.messages:
                    seen[name][message.id] += 1
                    pulled[name].append(message)
                cursor = stopped.cursor
                continue
            except TransientError:
                figures[name]["failed pulls"] += 1
                continue
            figures[name]["pulls"] += 1
            for message in messages:
                seen[name][message.id] += 1
                pulled[name].append(message)
            if not messages:
                return cursor
        raise AssertionError(f"{name}: the pulls never settled")

    def run(name: str) -> None:
        try:
            fake, client = fakes[name], clients[name]
            inject(name, per_network // 2)
            fake.faults.randomize(0.3, seed=4000 + NETWORKS.index(name), kinds=RANDOM_FAULTS)
            cursor = pull_until_quiet(name, None)
            fake.faults.clear()
            inject(name, per_network - per_network // 2)  # more arrive between two pulls
            fake.faults.randomize(0.3, seed=5000 + NETWORKS.index(name), kinds=RANDOM_FAULTS)
            pull_until_quiet(name, cursor)

            def settle(seconds: float) -> None:
                # what the delay gives in production: the calls given up on have landed
                fake.wait_idle(sent=sessions[name].sent)

            engine = DeliveryEngine(
                ledger,
                policy=RetryPolicy(max_attempts=12, max_inline_delay=3600, rng=random.Random(name)),
                sleep=settle,
                sending_lease=0,
            )
            network = registry.create(name)
            replies = [
                compose_reply(message, f"Merci pour le commentaire {i} !", network, key=f"a{i}")
                for i, message in enumerate(pulled[name][:answers_per_network])
            ]
            for reply in replies:
                engine.deliver(reply, client, f"{name}-account")
            for _ in range(5):  # what a restarted worker does: finish what is not final
                left = {e.item_key for e in ledger.unfinished() if e.network == name}
                if not left:
                    break
                for reply in replies:
                    if reply.item_key in left:
                        engine.deliver(reply, client, f"{name}-account")
            figures[name].update(fake.faults.injected)
        except BaseException as exc:  # reported below, with the thread's network
            errors.append(exc)

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(name,)) for name in NETWORKS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    elapsed = time.monotonic() - started
    assert not errors, errors

    total_lost = total_duplicated = total_answers = total_after = 0
    for name, fake in fakes.items():
        fake.faults.clear()
        lost = set(injected[name]) - set(seen[name])
        pulled_twice = {i: n for i, n in seen[name].items() if n > 1}
        assert not lost, f"{name}: {len(lost)} comments never pulled"
        assert not pulled_twice, f"{name}: pulled twice {pulled_twice}"
        assert set(seen[name]) == set(injected[name])
        answered = pulled[name][:answers_per_network]
        for i, message in enumerate(answered):
            thread = {message.id, message.refs.get("thread")}
            mine = [
                a
                for a in fake.answers
                if a["parent"] in thread
                and text_matches(f"Merci pour le commentaire {i} !", a["text"])
            ]
            assert len(mine) == 1, f"{name}: answer {i} is there {len(mine)} times"
        assert len(fake.answers) == answers_per_network, f"{name}: {len(fake.answers)} answers"
        total_answers += len(fake.answers)
        total_lost += len(lost)
        total_duplicated += len(fake.answers) - answers_per_network
        injected_faults = sum(fake.faults.injected.values())
        assert injected_faults >= 0.15 * len(fake.requests), f"{name}: {injected_faults} faults"
        total_after += sum(fake.faults.injected[k] for k in AFTER)
    entries = [e for e in ledger.all() if e.item_key.startswith("reply/")]
    assert len(entries) == ANSWERS
    assert Counter(e.state for e in entries) == {State.SENT: ANSWERS}
    assert total_lost == 0 and total_duplicated == 0 and total_answers == ANSWERS
    assert total_after >= 10, "too few calls acted on whose answer was lost"
    print(
        f"\n{COMMENTS} comments pulled and {ANSWERS} answers in {elapsed:.1f} s under 30 % "
        f"faults: 0 lost, 0 duplicated; per network: "
        + "; ".join(f"{name} {dict(figures[name])}" for name in NETWORKS)
    )
