"""The posting clients against local fakes: success, every kind of failure, token refresh,
and no secret in any message, log line or repr."""

from __future__ import annotations

import dataclasses
import logging
import socket

import pytest

from syndication.compose import compose
from syndication.errors import PostRejected, RateLimited, ReconnectNeeded, TransientError
from syndication.models import ImageRef
from syndication.networks import registry
from syndication.networks.instagram import MediaNotReady
from syndication.testing.fakes import client_for, credentials_for
from syndication.testing.worker import synthetic_item

CLOSED = ["mastodon", "x", "linkedin", "facebook", "instagram"]
CREATE_PATH = {
    "mastodon": "/statuses",
    "x": "/2/tweets",
    "linkedin": "/rest/posts",
    "facebook": "/feed",
    "instagram": "/media_publish",
}


def post_for(name: str, n: int = 1):
    item = synthetic_item(n)
    item.image = ImageRef(url=f"https://alumni.example.org/img/{n}.jpg", alt="photo")
    return compose(item, registry.create(name))


@pytest.mark.parametrize("name", CLOSED)
def test_publish_find_existing_verify(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    post = post_for(name)
    assert client.find_existing(post) is None
    remote = client.publish(post)
    assert remote.id and len(fake.posts) == 1
    assert fake.posts[0]["link"] == post.link
    found = client.find_existing(post)
    assert found is not None and found.id == remote.id
    assert client.find_existing(post_for(name, 2)) is None
    assert client.verify_credentials().id


@pytest.mark.parametrize("name", CLOSED)
def test_rate_limit_gives_the_delay_to_wait(fake_factory, fake_time, name):
    fake = fake_factory(name, clock=fake_time.time)
    fake.faults.add("rate_limit", path=CREATE_PATH[name])
    with pytest.raises(RateLimited) as info:
        client_for(fake, clock=fake_time.time).publish(post_for(name))
    # the wait the network asked for, in its own way (Retry-After, a reset time, Meta's minutes)
    assert info.value.retry_after == fake.rate_limit_wait
    assert not info.value.uncertain and fake.posts == []


@pytest.mark.parametrize("name", CLOSED)
@pytest.mark.parametrize(
    ("fault", "created"),
    [
        ("error_500", False),
        ("error_500_after", True),
        ("reset_before", False),
        ("reset_after", True),
        ("timeout_after", True),
    ],
)
def test_failures_after_sending_a_create_are_uncertain(fake_factory, name, fault, created):
    fake = fake_factory(name, stall=0.6)
    fake.faults.add(fault, path=CREATE_PATH[name])
    with pytest.raises(TransientError) as info:
        client_for(fake, timeout=0.3).publish(post_for(name))
    assert info.value.uncertain, str(info.value)
    assert len(fake.posts) == (1 if created else 0)


def test_failures_of_reads_and_of_connecting_are_not_uncertain(fake_factory):
    fake = fake_factory("mastodon")
    fake.faults.add("reset_after", method="GET")
    with pytest.raises(TransientError) as info:
        client_for(fake).find_existing(post_for("mastodon"))
    assert not info.value.uncertain
    with socket.socket() as s:  # a port where nobody listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = registry.create("mastodon").client(
        {"access_token": "t0ken-value"}, base_url=f"http://127.0.0.1:{port}"
    )
    with pytest.raises(TransientError) as info:
        client.publish(post_for("mastodon"))
    assert not info.value.uncertain and "connection failed" in str(info.value)


@pytest.mark.parametrize("name", ["mastodon", "facebook", "instagram"])
def test_expired_token_without_refresh_means_reconnect(fake_factory, name):
    fake = fake_factory(name)
    fake.expire_tokens()
    with pytest.raises(ReconnectNeeded, match="Reconnect the account in Settings → Networks"):
        client_for(fake).publish(post_for(name))
    assert fake.posts == []


@pytest.mark.parametrize("name", ["x", "linkedin"])
def test_expired_token_is_refreshed_once(fake_factory, name):
    fake = fake_factory(name)
    fake.faults.add("expired_token", path=CREATE_PATH[name])
    stored = []
    client = client_for(fake, on_credentials_changed=stored.append)
    old = client.credentials["access_token"]
    remote = client.publish(post_for(name))
    assert remote.id and len(fake.posts) == 1 and fake.refreshes == 1
    # The renewed credentials are handed over once, to be stored: exactly those the network
    # accepts now (a new access token; X's rotated refresh token), the expired one left behind.
    (renewed,) = stored
    assert renewed == credentials_for(fake)
    assert renewed["access_token"] == fake.token != old
    assert old not in fake.valid_tokens


@pytest.mark.parametrize("name", ["x", "linkedin"])
def test_refused_refresh_means_reconnect(fake_factory, name):
    fake = fake_factory(name)
    client = client_for(fake)
    fake.expire_tokens()
    fake.refresh_token = "revoked-by-the-member"  # the client still has the old one
    with pytest.raises(ReconnectNeeded, match=f"{registry[name].label} refused to renew it"):
        client.publish(post_for(name))


def test_refresh_endpoint_failure_is_transient(fake_factory):
    fake = fake_factory("x")
    fake.expire_tokens()
    fake.faults.add("error_500", path="/oauth2/token")
    with pytest.raises(TransientError):
        client_for(fake).publish(post_for("x"))


def test_client_errors_are_permanent(fake_factory):
    fake = fake_factory("x")
    client = client_for(fake)
    post = post_for("x")
    client.publish(post)
    with pytest.raises(PostRejected, match="duplicate content") as info:
        client.publish(post)
    assert info.value.status == 403
    mastodon = fake_factory("mastodon", max_characters=100)
    with pytest.raises(PostRejected, match="character limit of 100"):
        client_for(mastodon).publish(post_for("mastodon"))


@pytest.mark.parametrize("name", CLOSED)
def test_no_secret_in_errors_logs_or_repr(fake_factory, name, caplog):
    caplog.set_level(logging.DEBUG)
    fake = fake_factory(name)
    secrets = {v for k, v in credentials_for(fake).items() if "token" in k or "secret" in k}
    # make the server echo the token back in its error message, as some APIs do
    original = fake.unauthorized

    def echoing(request):
        response = original(request)
        if isinstance(response.body.get("error"), dict):  # Meta's shape
            response.body["error"]["message"] = f"token {request.bearer} is not valid"
        else:
            response.body = {
                "error": f"token {request.bearer} is not valid",
                "message": f"bad {request.bearer}",
            }
        return response

    fake.unauthorized = echoing
    fake.valid_tokens.clear()
    client = client_for(fake)
    if name in ("x", "linkedin"):
        fake.refresh_token = "revoked-by-the-member"
    with pytest.raises(ReconnectNeeded) as info:
        client.publish(post_for(name))
    texts = [str(info.value), repr(info.value), repr(client), caplog.text]
    texts += [str(e) for e in (info.value.__cause__, info.value.__context__) if e is not None]
    for secret in secrets:
        for text in texts:
            assert secret not in text
    assert "[redacted]" in str(info.value) or name in ("linkedin", "x")


def test_instagram_waits_while_the_image_is_processed(fake_factory):
    fake = fake_factory("instagram")
    fake.processing_rounds = 2  # Meta answers "not ready" twice, then publishes
    waits: list[float] = []
    client = client_for(fake, sleep=waits.append)
    remote = client.publish(post_for("instagram"))
    assert remote.id and len(fake.posts) == 1
    assert waits == list(client.publish_waits[:2])
    containers = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/media")]
    assert len(containers) == 1  # the same container, asked again


def test_instagram_still_processing_is_left_to_a_later_attempt(fake_factory):
    fake = fake_factory("instagram")
    fake.processing_rounds = 10
    waits: list[float] = []
    client = client_for(fake, sleep=waits.append)
    with pytest.raises(MediaNotReady) as info:
        client.publish(post_for("instagram"))
    assert isinstance(info.value, TransientError) and not info.value.uncertain
    assert "still being processed" in info.value.message and fake.posts == []
    assert waits == list(client.publish_waits)


def linkedin_post_with_picture(fake_factory, tmp_path, fault: str):
    """A LinkedIn fake whose Images API fails once with ``fault``, and a post whose card
    picture is a local file."""
    picture = tmp_path / "card.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0 jpeg bytes to send")
    fake = fake_factory("linkedin")
    fake.faults.add(fault, path="/rest/images")
    post = post_for("linkedin")
    return fake, dataclasses.replace(
        post, card=dataclasses.replace(post.card, image=ImageRef(path=str(picture), alt="photo"))
    )


def test_linkedin_posts_without_its_picture_when_the_upload_fails(fake_factory, tmp_path, caplog):
    fake, post = linkedin_post_with_picture(fake_factory, tmp_path, "error_500")
    with caplog.at_level(logging.WARNING):
        remote = client_for(fake).publish(post)
    assert remote.id and len(fake.posts) == 1
    assert "thumbnail" not in fake.posts[0]["body"]["content"]["article"]
    assert "card picture not uploaded" in caplog.text
    assert fake.token not in caplog.text


def test_linkedin_dry_run_body_says_the_picture_is_uploaded_when_posting():
    post = post_for("linkedin")
    article = registry.create("linkedin").request_body(post)["content"]["article"]
    assert article["thumbnail"] == {"pending_upload": "https://alumni.example.org/img/1.jpg"}


def test_linkedin_rate_limit_on_the_picture_delays_the_whole_post(fake_factory, tmp_path):
    fake, post = linkedin_post_with_picture(fake_factory, tmp_path, "rate_limit")
    with pytest.raises(RateLimited):
        client_for(fake).publish(post)
    assert fake.posts == []
