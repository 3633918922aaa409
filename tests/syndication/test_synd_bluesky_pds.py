"""Bluesky against the real thing: the reference PDS (``@atproto/pds``) on loopback.

The suite installs it on first use (about 3 minutes, cached in ~/.cache/relais-peers) and stops
every process it starts. The PDS validates every record against the real lexicons, so a post it
accepts is a post Bluesky accepts.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import time
import zlib
from pathlib import Path

import pytest
import requests

from syndication.compose import compose
from syndication.delivery import DeliveryEngine
from syndication.errors import RateLimited
from syndication.ledger import State
from syndication.models import ImageRef, Item
from syndication.networks.bluesky import Bluesky, BlueskyClient
from syndication.policy import RetryPolicy
from syndication.sqlite import SQLiteLedger
from syndication.testing.peers import DevNet, LocalPDS
from syndication.text import graphemes

pytestmark = pytest.mark.peer
_counter = iter(range(10_000))


def png(width: int = 8, height: int = 8) -> bytes:
    raw = b"".join(b"\x00" + b"\x20\x60\xc0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def account(pds: LocalPDS) -> dict[str, str]:
    return pds.create_account(f"alumni{next(_counter)}-{random.randrange(10**6)}.test")


@pytest.fixture
def client(pds: LocalPDS, account) -> BlueskyClient:
    return BlueskyClient(
        {"identifier": account["handle"], "password": account["password"]}, base_url=pds.url
    )


def item(tmp_path: Path, n: int = 1) -> Item:
    thumb = tmp_path / "hero.png"
    thumb.write_bytes(png())
    return Item(
        title="Carrière 👩‍💻 : de stagiaire à CTO",
        url=f"https://alumni.example.org/parcours/de-stagiaire-a-cto-{n}/",
        section="parcours",
        slug=f"de-stagiaire-a-cto-{n}",
        summary="Léa 🇫🇷 (promo 2012) a construit la plateforme de données d'un industriel.",
        tags=["intelligence artificielle", "data"],
        class_years=["2012"],
        image=ImageRef(path=str(thumb), alt="Léa"),
    )


def get_record(pds: LocalPDS, uri: str) -> dict:
    _, _, did, collection, rkey = uri.split("/")
    response = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": collection, "rkey": rkey},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["value"]


def test_post_with_facets_and_card_reads_back_exactly(pds, client, tmp_path):
    post = compose(item(tmp_path), Bluesky())
    remote = client.publish(post)
    assert remote.id.startswith("at://did:plc:") and "/post/" in remote.url
    record = get_record(pds, remote.id)
    assert record["text"] == post.text
    raw = record["text"].encode("utf-8")
    pieces = {}
    for facet in record["facets"]:
        feature = facet["features"][0]
        piece = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
        pieces[piece] = feature.get("tag") or feature.get("uri")
    assert pieces["#IntelligenceArtificielle"] == "IntelligenceArtificielle"
    assert pieces["#Promo2012"] == "Promo2012"
    link = [p for p in pieces if p.startswith("alumni.example.org/")]
    assert len(link) == 1 and pieces[link[0]] == post.link and "utm_source=bluesky" in post.link
    external = record["embed"]["external"]
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert (
        external["uri"] == post.link and external["title"] == "Carrière 👩‍💻 : de stagiaire à CTO"
    )
    assert external["description"].startswith("Léa 🇫🇷 (promo 2012)")
    assert external["thumb"]["mimeType"] == "image/png"
    assert external["thumb"]["size"] == len(png())
    assert record["langs"] == ["fr"]


def test_the_pds_enforces_300_graphemes(pds, client):
    client.verify_credentials()  # opens the session
    creds = client.credentials
    headers = {"Authorization": f"Bearer {creds['accessJwt']}"}

    def create(text: str) -> requests.Response:
        record = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        }
        return requests.post(
            f"{pds.url}/xrpc/com.atproto.repo.createRecord",
            headers=headers,
            timeout=10,
            json={"repo": creds["did"], "collection": "app.bsky.feed.post", "record": record},
        )

    text = "🇫🇷" * 300  # 300 graphemes, 2,400 bytes: the grapheme limit exactly
    assert len(graphemes(text)) == 300
    ok = create(text)
    assert ok.status_code == 200 and ok.json()["validationStatus"] == "valid"
    too_long = create(text + "a")
    assert too_long.status_code == 400
    assert (
        too_long.json()["error"] == "InvalidRequest"
        and "maximum 300, got 301" in too_long.json()["message"]
    )
    heavy = "👨‍👩‍👧" * 167  # 167 graphemes but 3,006 bytes: over the byte limit
    too_heavy = create(heavy)
    assert too_heavy.status_code == 400, too_heavy.text
    assert "$.record.text" in too_heavy.json()["message"]
    # what the composer makes of such a text fits both limits, and the PDS takes it
    post = compose(
        Item(
            title=heavy,
            url="https://alumni.example.org/a/b/",
            section="association",
            slug="b",
            summary=text,
        ),
        Bluesky(),
    )
    assert create(post.text).status_code == 200


def test_find_existing_finds_the_post_by_its_link(pds, client, tmp_path):
    post = compose(item(tmp_path, 7), Bluesky())
    assert client.find_existing(post) is None
    remote = client.publish(post)
    other = compose(item(tmp_path, 8), Bluesky())
    client.publish(other)
    assert client.find_existing(post) == remote
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=15)
    assert client.find_existing(post, since=since) == remote
    assert client.find_existing(compose(item(tmp_path, 9), Bluesky()), since=since) is None


def test_expired_session_is_refreshed(pds, client, account, tmp_path):
    stored = []
    expired = pds.expired(account["accessJwt"])
    check = requests.get(
        f"{pds.url}/xrpc/com.atproto.server.getSession",
        timeout=10,
        headers={"Authorization": f"Bearer {expired}"},
    )
    assert check.status_code == 400 and check.json()["error"] == "ExpiredToken"
    fresh = BlueskyClient(
        {
            "did": account["did"],
            "handle": account["handle"],
            "accessJwt": expired,
            "refreshJwt": account["refreshJwt"],
        },
        base_url=pds.url,
        on_credentials_changed=stored.append,
    )
    remote = fresh.publish(compose(item(tmp_path, 11), Bluesky()))
    assert remote.id and stored and stored[-1]["accessJwt"] != expired


def test_engine_posts_once_to_the_pds(pds, client, tmp_path):
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    engine = DeliveryEngine(ledger, policy=RetryPolicy(rng=random.Random(1)), sleep=lambda s: None)
    post = compose(item(tmp_path, 21), Bluesky())
    first = engine.deliver(post, client, "bsky-1")
    again = engine.deliver(post, client, "bsky-1")
    assert first.state == State.SENT and again == first
    records = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.listRecords",
        timeout=10,
        params={"repo": client.credentials["did"], "collection": "app.bsky.feed.post"},
    ).json()["records"]
    assert [r["uri"] for r in records].count(first.remote_id) == 1 and len(records) == 1


def test_rate_limits_of_the_real_pds():
    """With PDS_RATE_LIMITS_ENABLED, createSession allows 30 calls per 5 minutes per account."""
    with LocalPDS(rate_limits=True) as limited:
        account = limited.create_account(f"limited{random.randrange(10**6)}.test")
        client = BlueskyClient(
            {"identifier": account["handle"], "password": account["password"]}, base_url=limited.url
        )
        error = None
        for _ in range(40):
            try:
                client.create_session()
            except RateLimited as exc:
                error = exc
                break
        assert error is not None, "no 429 after 40 sessions"
        assert error.status == 429 and 0 < error.retry_after <= 300
        assert "rate limited" in str(error)


@pytest.mark.devnet
def test_devnet_reads_like_and_repost_counts(tmp_path):
    """The full network (PLC + PDS + App View) on PostgreSQL and Redis: counts come back."""
    with DevNet() as net:

        def new_account(handle):
            response = requests.post(
                f"{net.pds_url}/xrpc/com.atproto.server.createAccount",
                timeout=30,
                json={"handle": handle, "email": f"{handle}@x.test", "password": "pw-" + handle},
            )
            response.raise_for_status()
            return response.json()

        author = new_account("alumni.test")
        fan = new_account("fan.test")
        client = BlueskyClient(
            {"identifier": "alumni.test", "password": "pw-alumni.test"}, base_url=net.pds_url
        )
        remote = client.publish(compose(item(tmp_path), Bluesky()))
        cid = get_cid(net.pds_url, remote.id)
        for collection in ("app.bsky.feed.like", "app.bsky.feed.repost"):
            response = requests.post(
                f"{net.pds_url}/xrpc/com.atproto.repo.createRecord",
                timeout=10,
                headers={"Authorization": f"Bearer {fan['accessJwt']}"},
                json={
                    "repo": fan["did"],
                    "collection": collection,
                    "record": {
                        "$type": collection,
                        "subject": {"uri": remote.id, "cid": cid},
                        "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
                    },
                },
            )
            response.raise_for_status()
        deadline = time.monotonic() + 15
        counts = {}
        while time.monotonic() < deadline:
            counts = client.metrics([remote.id]).get(remote.id, {})
            if counts.get("likes") == 1 and counts.get("shares") == 1:
                break
            time.sleep(0.3)
        assert counts["likes"] == 1 and counts["shares"] == 1
        assert author["did"] == client.credentials["did"]


def get_cid(pds_url: str, uri: str) -> str:
    _, _, did, collection, rkey = uri.split("/")
    return requests.get(
        f"{pds_url}/xrpc/com.atproto.repo.getRecord",
        timeout=10,
        params={"repo": did, "collection": collection, "rkey": rkey},
    ).json()["cid"]
