"""In a real browser, against Bluesky's full network on loopback (``DevNet``: PLC, PDS, App View):
a member's comment under the association's post appears in the desk, is assigned, answered
from Relais with the count of the answer box, shows as answered, and the answer is in the
network's thread exactly once (issue 11, "Done when")."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth import get_user_model
from wagtail.models import Site

from cms.conversations.models import Answer, IncomingMessage
from cms.conversations.tasks import pull_task
from cms.social.models import SocialAccount
from syndication.compose import compose
from syndication.conversations import REPLY
from syndication.networks.bluesky import Bluesky, BlueskyClient
from syndication.testing.peers import DevNet
from syndication.testing.worker import synthetic_item
from tests.convdesk.support import create_account, now, posted, wait_for, xrpc
from tests.federation.builders import association_site

pytestmark = [pytest.mark.browser, pytest.mark.peer, pytest.mark.devnet]

PASSWORD = "mot-de-passe"


def record_ref(net: DevNet, uri: str) -> dict:
    repo, collection, rkey = uri.removeprefix("at://").split("/")
    response = requests.get(
        f"{net.pds_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": collection, "rkey": rkey},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {"uri": uri, "cid": response.json()["cid"]}


def thread_of(net: DevNet, uri: str) -> dict | None:
    """The thread of ``uri`` as the App View has indexed it (None until it has)."""
    response = requests.get(
        f"{net.appview_url}/xrpc/app.bsky.feed.getPostThread",
        params={"uri": uri, "depth": 10},
        timeout=10,
    )
    return response.json()["thread"] if response.status_code == 200 else None


@pytest.fixture
def desk_site(transactional_db, live_server, settings, content_dir, site_output, devnet):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    Site.objects.all().delete()
    a = association_site("Alumni A", "a.example.org", default=True)
    association_site("Alumni B", "b.example.org")
    a["association"].refresh_from_db()
    user = get_user_model().objects.create_user(
        "claire", "claire@example.org", PASSWORD, first_name="Claire", last_name="Moreau"
    )
    user.groups.add(a["association"].moderators, a["association"].editors)
    ours = create_account(devnet, "alumni.test")
    fan = create_account(devnet, "fan.test")
    app_password = xrpc(
        devnet, "com.atproto.server.createAppPassword", {"name": "Relais"}, ours["accessJwt"]
    )["password"]
    account = SocialAccount(
        site=a["site"],
        network="bluesky",
        display_name="Alumni A",
        handle="alumni.test",
        remote_id=ours["did"],
        base_url=devnet.pds_url,
    )
    account.set_credentials({"identifier": "alumni.test", "password": app_password})
    account.save()
    client = BlueskyClient(
        {"identifier": "alumni.test", "password": app_password}, base_url=devnet.pds_url
    )
    post = client.publish(compose(synthetic_item(1), Bluesky())).id
    posted(a, account, post, slug="gala-annuel")
    # a reader answers a post they have seen: once the App View has it
    assert wait_for(lambda: thread_of(devnet, post)), "the App View never indexed the post"
    return {"admin": live_server.url, "post": post, "user": user, "fan": fan, "ours": ours}


def test_a_comment_is_assigned_and_answered_once_from_the_desk(desk_site, devnet, page):
    admin, post, fan, ours = (desk_site[k] for k in ("admin", "post", "fan", "ours"))
    root = record_ref(devnet, post)
    question = xrpc(
        devnet,
        "com.atproto.repo.createRecord",
        {
            "repo": fan["did"],
            "collection": "app.bsky.feed.post",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": "Bonjour, quand a lieu le gala cette année ?",
                "createdAt": now(),
                "reply": {"root": root, "parent": root},
            },
        },
        fan["accessJwt"],
    )
    # what the worker's clock runs every few minutes, until the App View notifies the reply
    assert wait_for(lambda: pull_task.call()) == 1
    message = IncomingMessage.objects.get()
    assert (message.remote_id, message.kind) == (question["uri"], REPLY)

    page.goto(f"{admin}/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill("claire")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="S'identifier").click()
    page.wait_for_url(f"{admin}/admin/")

    page.goto(f"{admin}/admin/conversations/")
    row = page.locator("tr[data-message]")
    assert row.count() == 1
    assert "quand a lieu le gala" in row.inner_text()
    assert "Rencontre gala-annuel" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(f"{admin}/admin/conversations/*/")

    page.get_by_label("Attribuer à").select_option(label="Claire Moreau")
    page.get_by_role("button", name="Attribuer", exact=True).click()
    page.wait_for_selector("text=attribué à Claire Moreau")

    text = "Le 14 mars, à la Maison des ingénieurs. Inscriptions ouvertes !"
    page.get_by_label("Votre réponse").fill(text)
    # counted as Bluesky counts: graphemes, 300 at most
    page.wait_for_function(
        f"document.querySelector('[data-reply-length]').textContent === '{len(text)}'"
    )
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.wait_for_selector("[data-message-state]:has-text('répondu')")
    assert page.locator("[data-answer-state='sent']").count() == 1

    answer = Answer.objects.get()
    message.refresh_from_db()
    assert message.state == IncomingMessage.State.ANSWERED and message.first_answer_at
    assert message.assignee == desk_site["user"]
    # in the association's repository, one answer to the question, in the post's thread
    records = requests.get(
        f"{devnet.pds_url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": ours["did"], "collection": "app.bsky.feed.post", "limit": 100},
        timeout=10,
    ).json()["records"]
    answers = [r for r in records if "reply" in r["value"]]
    assert [r["uri"] for r in answers] == [answer.remote_id]
    assert answers[0]["value"]["text"] == text
    assert answers[0]["value"]["reply"]["parent"]["uri"] == question["uri"]
    assert answers[0]["value"]["reply"]["root"]["uri"] == post

    # and in the thread the network shows, once
    def ours_under_question() -> list[str]:
        thread = thread_of(devnet, post) or {}
        found = []
        for reply in thread.get("replies") or []:
            if reply.get("post", {}).get("uri") == question["uri"]:
                found = [
                    r["post"]["uri"]
                    for r in reply.get("replies") or []
                    if r.get("post", {}).get("author", {}).get("did") == ours["did"]
                ]
        return found

    assert wait_for(ours_under_question) == [answer.remote_id]
    # the page, read again, shows the thread with the answer in it
    page.reload()
    page.wait_for_selector(f"[data-thread] li[data-remote='{answer.remote_id}']")
    assert page.locator("[data-thread] li").count() == 3
    # a pull after the answer stores nothing new: the association's own answer is no message
    assert pull_task.call() == 0
    assert IncomingMessage.objects.count() == 1
