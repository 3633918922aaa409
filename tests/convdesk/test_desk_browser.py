"""In a real browser, against an independently written Mastodon server (``mastodon-mock``): a
member's question under the association's post appears in the desk, is assigned, answered
from Relais with the count of the answer box, shows as answered, and the answer is in the
network's thread exactly once."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth import get_user_model
from wagtail.models import Site

from cms.conversations.models import Answer, IncomingMessage
from cms.conversations.tasks import pull_task
from syndication.compose import compose
from syndication.networks import registry
from syndication.networks.mastodon import MastodonClient
from syndication.testing.worker import synthetic_item
from tests.convdesk.support import as_bob, mastodon_account, posted
from tests.federation.builders import association_site

pytestmark = [pytest.mark.browser, pytest.mark.peer]

PASSWORD = "mot-de-passe"


@pytest.fixture
def desk_site(transactional_db, live_server, settings, content_dir, site_output, mastodon_mock):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    Site.objects.all().delete()
    a = association_site("Alumni A", "a.example.org", default=True)
    association_site("Alumni B", "b.example.org")
    a["association"].refresh_from_db()
    user = get_user_model().objects.create_user(
        "claire", "claire@example.org", PASSWORD, first_name="Claire", last_name="Moreau"
    )
    user.groups.add(a["association"].moderators, a["association"].editors)
    account = mastodon_account(a["site"], mastodon_mock)
    client = MastodonClient({"access_token": "alice_token"}, base_url=mastodon_mock)
    post = client.publish(compose(synthetic_item(1), registry.create("mastodon"))).id
    posted(a, account, post, slug="gala-annuel")
    return {"admin": live_server.url, "server": mastodon_mock, "post": post, "user": user}


def test_a_question_is_assigned_and_answered_once_from_the_desk(desk_site, page):
    admin, server, post = desk_site["admin"], desk_site["server"], desk_site["post"]
    question = as_bob(server, "@alice Bonjour, quand a lieu le gala cette année ?", post)
    pull_task.call()  # what the worker's clock runs every few minutes

    page.goto(f"{admin}/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill("claire")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="S'identifier").click()
    page.wait_for_url(f"{admin}/admin/")

    page.goto(f"{admin}/admin/conversations/")
    row = page.locator("tr[data-message]")
    assert row.count() == 1
    assert (
        "quand a lieu le gala" in row.inner_text() and "Rencontre gala-annuel" in row.inner_text()
    )
    row.get_by_role("link").click()
    page.wait_for_url(f"{admin}/admin/conversations/*/")

    page.get_by_label("Attribuer à").select_option(label="Claire Moreau")
    page.get_by_role("button", name="Attribuer", exact=True).click()
    page.wait_for_selector("text=attribué à Claire Moreau")

    page.get_by_label("Votre réponse").fill(
        "Le 14 mars, à la Maison des ingénieurs. https://a.fr/x"
    )
    # counted as Mastodon counts: "@bob " first, the link weighs 23
    expected = len("@bob Le 14 mars, à la Maison des ingénieurs. ") + 23
    page.wait_for_function(
        f"document.querySelector('[data-reply-length]').textContent === '{expected}'"
    )
    assert page.locator("[data-reply-text]").inner_text().startswith("@bob Le 14 mars")
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.wait_for_selector("[data-message-state]:has-text('répondu')")
    assert page.locator("[data-answer-state='sent']").count() == 1

    context = requests.get(
        f"{server}/api/v1/statuses/{question}/context",
        headers={"Authorization": "Bearer alice_token"},
        timeout=10,
    ).json()
    mine = [s for s in context["descendants"] if s["account"]["acct"] == "alice"]
    assert len(mine) == 1 and mine[0]["in_reply_to_id"] == question
    assert mine[0]["id"] == Answer.objects.get().remote_id
    message = IncomingMessage.objects.get()
    assert message.state == IncomingMessage.State.ANSWERED and message.first_answer_at
    assert message.assignee == desk_site["user"]
    # the thread shown is the network's, with the answer in it
    assert page.locator("[data-thread] li").count() == 3
