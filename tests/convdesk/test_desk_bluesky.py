"""The desk against Bluesky's full network on loopback (``DevNet``: PLC, PDS, App View on
PostgreSQL and Redis): the association's account connected through the admin, a second local
account mentions it in a new post of its own (not a reply: no post of the association is
involved), and the worker's pull brings the mention into the desk of conversations, once, even
when the pull runs again."""

from __future__ import annotations

import pytest

from cms.conversations.models import IncomingMessage, PullCursor
from cms.conversations.tasks import pull_task
from cms.social.models import SocialAccount
from syndication.conversations import MENTION
from tests.convdesk.support import create_account, mention_post, wait_for, xrpc
from tests.social.support import connect_through_admin

pytestmark = [pytest.mark.peer, pytest.mark.devnet]


def test_a_mention_in_a_new_post_lands_in_the_desk_once(devnet, site_tree, admin_user, client):
    ours = create_account(devnet, "alumni.test")
    fan = create_account(devnet, "fan.test")
    app_password = xrpc(
        devnet, "com.atproto.server.createAppPassword", {"name": "Relais"}, ours["accessJwt"]
    )["password"]
    client.force_login(admin_user)
    connect_through_admin(
        client,
        "bluesky",
        site_tree["site"],
        identifier="alumni.test",
        app_password=app_password,
        server=devnet.pds_url,
    )
    account = SocialAccount.objects.get(network="bluesky")
    assert account.remote_id == ours["did"]

    assert pull_task.call() == 0  # nothing yet: the cursor starts before the mention
    mention = mention_post(
        devnet,
        fan,
        "Merci ",
        "alumni.test",
        ours["did"],
        " pour la soirée des anciens ! Quand a lieu la prochaine ?",
    )

    stored = wait_for(lambda: pull_task.call())  # the worker's clock, until the App View has it
    cursor = PullCursor.objects.get(account=account)
    assert stored == 1, f"nothing pulled; the account's pull says: {cursor.last_error!r}"
    assert cursor.last_error == ""
    message = IncomingMessage.objects.get()
    assert message.remote_id == mention["uri"] and message.kind == MENTION
    assert message.account == account and message.site == site_tree["site"]
    assert message.author_handle == "fan.test" and message.author_id == fan["did"]
    assert message.text == (
        "Merci @alumni.test pour la soirée des anciens ! Quand a lieu la prochaine ?"
    )
    assert message.delivery is None and message.post_remote_id == ""  # no post of ours
    assert message.is_question and message.state == IncomingMessage.State.NEW
    assert message.url.endswith(f"/profile/fan.test/post/{mention['uri'].rsplit('/', 1)[-1]}")

    # the worker's clock runs again, twice: nothing is stored twice
    assert pull_task.call() == 0
    assert pull_task.call() == 0
    assert IncomingMessage.objects.count() == 1
    # a worker killed between storing and recording its cursor reads the mention again: the
    # desk keeps one
    PullCursor.objects.filter(account=account).update(cursor="")
    assert pull_task.call() == 0
    assert PullCursor.objects.get(account=account).last_count == 1  # read again, not stored
    assert IncomingMessage.objects.count() == 1

    desk = client.get("/admin/conversations/")
    assert desk.status_code == 200
    page = desk.content.decode()
    assert page.count("pour la soirée des anciens") == 1
    # its page shows the thread as the App View gives it (the mention is its root), not what
    # the desk knows of it
    detail = client.get(f"/admin/conversations/{message.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    thread = html[html.index("data-thread") : html.index("</ol>", html.index("data-thread"))]
    assert "help-warning" not in html[: html.index("data-thread")]
    assert thread.count("<li") == 1
    assert f'data-remote="{mention["uri"]}" class="desk-thread__current"' in thread
    assert "pour la soirée des anciens" in thread
