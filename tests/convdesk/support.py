"""Helpers of the desk's tests: accounts on the local networks, a post of the ledger, a
member answering on mastodon-mock."""

from __future__ import annotations

from typing import Any

import requests

from cms.social.models import Delivery, SocialAccount
from syndication.testing.fakes import FakeServer, credentials_for
from tests.cms.factories import make_item


def as_bob(server: str, text: str, parent: str) -> str:
    """Bob answers ``parent`` on mastodon-mock, as any Mastodon app would."""
    response = requests.post(
        f"{server}/api/v1/statuses",
        headers={"Authorization": "Bearer bob_token"},
        json={"status": text, "in_reply_to_id": parent},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def mastodon_account(site: Any, server: str, **fields: Any) -> SocialAccount:
    account = SocialAccount(
        site=site,
        network="mastodon",
        display_name="Alice",
        handle="alice",
        remote_id=f"alice@{server}",
        base_url=server,
        **fields,
    )
    account.set_credentials({"access_token": "alice_token"})
    account.save()
    return account


def fake_account(site: Any, fake: FakeServer, **fields: Any) -> SocialAccount:
    account = SocialAccount(
        site=site,
        network=fake.network,
        display_name=f"Alumni {fake.network}",
        remote_id=f"{fake.network}-account",
        base_url=fake.url,
        client_options={"auth_base_url": fake.url} if fake.network == "linkedin" else {},
        **fields,
    )
    account.set_credentials(credentials_for(fake))
    account.save()
    return account


def posted(tree: dict, account: SocialAccount, remote_id: str, slug: str = "rencontre") -> Delivery:
    """An item of the association, posted on ``account`` as ``remote_id`` (the ledger's line;
    when the publication already made it, as it does once its transaction commits, it is that
    line, marked sent)."""
    item = make_item(tree, title=f"Rencontre {slug}", slug=slug)
    delivery, _ = Delivery.objects.update_or_create(
        item_key=f"actualites/{slug}",
        account=account,
        defaults={
            "page": item,
            "network": account.network,
            "state": Delivery.State.SENT,
            "remote_id": remote_id,
        },
    )
    return delivery
