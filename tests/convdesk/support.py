"""Helpers of the desk's tests: accounts on the local networks, a post of the ledger, a
member answering on mastodon-mock, accounts and posts on Bluesky's dev network."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import requests

from cms.social.models import Delivery, SocialAccount
from syndication.testing.fakes import FakeServer, credentials_for
from syndication.testing.peers import DevNet
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


def xrpc(net: DevNet, method: str, body: dict, token: str = "") -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.post(f"{net.pds_url}/xrpc/{method}", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def create_account(net: DevNet, handle: str) -> dict:
    return xrpc(
        net,
        "com.atproto.server.createAccount",
        {"handle": handle, "email": f"{handle}@x.test", "password": f"pw-{handle}"},
    )


def mention_post(net: DevNet, who: dict, before: str, handle: str, did: str, after: str) -> dict:
    """``who`` posts ``before @handle after``, the handle as a mention facet (what a Bluesky
    app sends: the App View notifies the accounts named in facets, not in the text)."""
    text = f"{before}@{handle}{after}"
    start = len(before.encode("utf-8"))
    return xrpc(
        net,
        "com.atproto.repo.createRecord",
        {
            "repo": who["did"],
            "collection": "app.bsky.feed.post",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": now(),
                "langs": ["fr"],
                "facets": [
                    {
                        "index": {
                            "byteStart": start,
                            "byteEnd": start + len(f"@{handle}".encode()),
                        },
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                    }
                ],
            },
        },
        who["accessJwt"],
    )


def now() -> str:
    """The time as a Bluesky record writes it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def wait_for(check: Callable[[], Any], seconds: float = 90.0) -> Any:
    """``check()`` once truthy: the App View indexes a few moments after the PDS."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)
