"""``manage.py syndicate PAGE_ID [--network NAME] [--dry-run]``: the dry run prints exactly the
bodies the networks then receive, and sends nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django_tasks import task_backends

from cms.social import tasks
from cms.social.models import Delivery
from tests.cms.factories import make_image, make_item
from tests.social.support import get_record, make_account, make_bluesky_account

pytestmark = pytest.mark.peer


def run(*args) -> str:
    out = io.StringIO()
    call_command("syndicate", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def published(
    site_tree,
    fakes,
    pds,
    bluesky_user,
    admin_user,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """A live item whose posts have not gone out yet (the queue holds them)."""
    settings.TASKS = {
        **settings.TASKS,
        "held": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.RELAIS_QUEUES,
        },
    }
    monkeypatch.setattr(tasks, "deliver_task", tasks.deliver_task.using(backend="held"))
    site = site_tree["site"]
    for fake in fakes.values():
        make_account(site, fake, owner=admin_user)
    make_bluesky_account(site, pds, bluesky_user, owner=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(
            site_tree, tags=["numérique"], hero_image=make_image(), hero_alt="Une photo"
        )
    assert len(task_backends["held"].results) == 6
    return page


def sent_body(fake, network: str):
    """What the fake received on its create call: JSON, or form fields for the Graph API."""
    path = {
        "x": "/2/tweets",
        "mastodon": "/api/v1/statuses",
        "linkedin": "/rest/posts",
        "facebook": "/feed",
        "instagram": "/media",
    }[network]
    calls = [r for r in fake.requests if r.method == "POST" and r.path.endswith(path)]
    assert len(calls) == 1, (network, calls)
    return calls[0].form if network in ("facebook", "instagram") else calls[0].json


def test_dry_run_prints_the_exact_bodies_and_sends_nothing(published, fakes, pds):
    lines = [json.loads(line) for line in run(published.pk, "--dry-run").splitlines()]
    by_network = {line["network"]: line for line in lines}
    assert set(by_network) == {"bluesky", "mastodon", "x", "linkedin", "facebook", "instagram"}
    assert all(not [r for r in f.requests if r.method == "POST"] for f in fakes.values())
    assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}
    assert by_network["x"]["endpoint"] == "POST /2/tweets"
    assert by_network["x"]["length"] <= by_network["x"]["limit"] == 280

    out = run(published.pk)
    assert out.count("publié") == 6, out
    for network in ("mastodon", "x", "facebook", "instagram"):
        assert sent_body(fakes[network], network) == by_network[network]["body"], network
    # LinkedIn: the dry run's body, with the card picture uploaded (Images API) and named by URN
    planned, sent = by_network["linkedin"]["body"], sent_body(fakes["linkedin"], "linkedin")
    pending = planned["content"]["article"].pop("thumbnail")["pending_upload"]
    assert pending.endswith("/social-1200x630.jpg")
    urn = sent["content"]["article"].pop("thumbnail")
    assert fakes["linkedin"].images[urn] == Path(pending).read_bytes()
    assert sent == planned
    # Bluesky: the record on the PDS is the dry run's, but for the time it was created and the
    # uploaded thumbnail (shown as the file to upload in the dry run)
    planned = by_network["bluesky"]["body"]
    posted = get_record(pds, Delivery.objects.get(network="bluesky").remote_id)
    assert posted["uri"].startswith(f"at://{planned['repo']}/{planned['collection']}/")
    value, expected = posted["value"], dict(planned["record"])
    thumb = expected["embed"]["external"].pop("thumb")
    assert thumb["pending_upload"].endswith("/social-1200x630.jpg")
    assert value["embed"]["external"].pop("thumb")["$type"] == "blob"
    value.pop("createdAt"), expected.pop("createdAt")
    assert value == expected


def test_one_network_and_errors(published, fakes):
    lines = run(published.pk, "--dry-run", "--network", "mastodon").splitlines()
    assert [json.loads(line)["network"] for line in lines] == ["mastodon"]
    assert "Mastodon · Alumni mastodon: publié https://social.example/" in run(
        published.pk, "--network", "mastodon"
    )
    assert len(fakes["mastodon"].posts) == 1 and not fakes["x"].posts
    assert "publié" in run(published.pk, "--network", "mastodon")  # already: not posted again
    assert len(fakes["mastodon"].posts) == 1
    run(published.pk, "--network", "mastodon", "--again")
    assert len(fakes["mastodon"].posts) == 2
    with pytest.raises(CommandError, match="not an item"):
        run(published.get_parent().pk, "--dry-run")
    with pytest.raises(CommandError, match="No page"):
        run(999999, "--dry-run")
