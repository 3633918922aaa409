"""A delivery worker in its own process, for tests that kill it mid-post.

    RELAIS_WORKER_CREDENTIALS='{"access_token": "..."}' python -m syndication.testing.worker \\
        --ledger deliveries.sqlite3 --network mastodon --base-url http://127.0.0.1:PORT \\
        --items 3 [--lease 0]

Delivers ``--items`` synthetic items (``actualites/item-<n>``) to one account with the SQLite
ledger, printing one line per item: ``<item key> <state>``. Credentials come from the
environment, never from the command line (where ``ps`` would show them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from syndication.compose import compose
from syndication.delivery import DeliveryEngine
from syndication.models import Item
from syndication.networks import registry
from syndication.policy import RetryPolicy
from syndication.sqlite import SQLiteLedger


def synthetic_item(n: int) -> Item:
    return Item(
        title=f"Nouvelle numéro {n} : les alumni à l'honneur",
        url=f"https://alumni.example.org/actualites/item-{n}/",
        section="actualites",
        slug=f"item-{n}",
        summary=f"Le résumé de la nouvelle {n}, avec des accents et un emoji 🎓.",
        tags=["vie associative"],
        class_years=[str(2000 + n % 20)],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--network", required=True, choices=list(registry))
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--account", default="account-1")
    parser.add_argument("--items", type=int, default=1)
    parser.add_argument("--lease", type=float, default=300.0)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args(argv)
    credentials = json.loads(os.environ.get("RELAIS_WORKER_CREDENTIALS", "{}"))
    network = registry.create(args.network)
    client = network.client(credentials, base_url=args.base_url, timeout=args.timeout)
    engine = DeliveryEngine(
        SQLiteLedger(args.ledger),
        policy=RetryPolicy(base_delay=0.01, max_delay=0.05, jitter_after=0.0),
        sending_lease=args.lease,
    )
    for n in range(args.items):
        entry = engine.deliver(compose(synthetic_item(n), network), client, args.account)
        print(entry.item_key, entry.state, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
