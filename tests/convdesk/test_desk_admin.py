"""The desk in the admin through the test client: the listing (newest first, who/what/where/
when, filters), assignment to a person of the association only, "no answer needed" one by one
and in bulk, reopening, the answer box's count as the network counts; and the isolation of
associations — B's people see nothing of A's desk and change nothing in it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from cms.conversations.models import Answer, IncomingMessage
from cms.social.models import SocialAccount
from tests.convdesk.support import posted


def account_of(site, label: str) -> SocialAccount:
    account = SocialAccount(
        site=site,
        network="mastodon",
        display_name=f"Compte {label}",
        remote_id=f"id-{label}",
        base_url="http://127.0.0.1:9",  # nothing listens: the thread falls back to the desk's
    )
    account.set_credentials({"access_token": f"secret-{label}", "account_id": "1"})
    account.save()
    return account


def message(account, n: int, text: str, **fields) -> IncomingMessage:
    values = {
        "site": account.site,
        "account": account,
        "network": account.network,
        "remote_id": f"{account.pk}-{n}",
        "kind": "reply",
        "author_name": f"Auteur {n}",
        "author_handle": f"auteur{n}@example.org",
        "text": text,
        "created_at": timezone.now() - dt.timedelta(hours=10 - n),
        "root_remote_id": "root",
        **fields,
    }
    return IncomingMessage.objects.create(**values)


@pytest.fixture
def desk(two_sites):
    a, b = two_sites["a"], two_sites["b"]
    a_account, b_account = account_of(a["site"], "a"), account_of(b["site"], "b")
    delivery = posted(a, a_account, "root", slug="gala")
    return {
        "a": [
            message(a_account, 1, "Texte A un : quand ?", delivery=delivery, is_question=True),
            message(a_account, 2, "Texte A deux"),
            message(a_account, 3, "Texte A trois"),
        ],
        "b": [message(b_account, 1, "Texte B un")],
        "delivery": delivery,
    }


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-message="(\d+)"', html)


def test_listing_newest_first_with_who_what_where_when(desk, a_volunteer, client):
    client.force_login(a_volunteer)
    html = client.get("/admin/conversations/").content.decode()
    one, two, three = desk["a"]
    assert rows(html) == [str(three.pk), str(two.pk), str(one.pk)]
    assert "Auteur 1" in html and "Texte A un" in html and "Mastodon" in html
    assert "Rencontre gala" in html  # the item it answers
    assert "question" in html
    assert "Texte B un" not in html
    # the per-network table of what is pulled and what is not
    assert 'data-network="instagram"' in html and "webhook seulement" in html

    by_item = client.get(f"/admin/conversations/?item={desk['delivery'].page_id}").content
    assert rows(by_item.decode()) == [str(one.pk)]
    questions = client.get("/admin/conversations/?questions=on").content.decode()
    assert rows(questions) == [str(one.pk)]
    assert rows(client.get("/admin/conversations/?network=x").content.decode()) == []


def test_assign_dismiss_reopen_and_bulk(desk, a_volunteer, a_admin, b_person, client):
    one, two, three = desk["a"]
    client.force_login(a_volunteer)
    url = f"/admin/conversations/{one.pk}/"
    page = client.get(url).content.decode()
    assert "Texte A un" in page and "Répondre" in page
    offered = re.search(r'<select name="assignee".*?</select>', page, re.S).group(0)
    assert f'value="{a_admin.pk}"' in offered and f'value="{b_person.pk}"' not in offered

    client.post(url, {"action": "assign", "assignee": str(a_admin.pk)})
    one.refresh_from_db()
    assert one.assignee == a_admin and one.state == IncomingMessage.State.ASSIGNED
    # a person of another association is not offered, and cannot be assigned
    client.post(url, {"action": "assign", "assignee": str(b_person.pk)})
    one.refresh_from_db()
    assert one.assignee == a_admin
    mine = client.get(f"/admin/conversations/?assignee={a_admin.pk}").content.decode()
    assert rows(mine) == [str(one.pk)]

    client.post(url, {"action": "dismiss"})
    one.refresh_from_db()
    assert one.state == IncomingMessage.State.NO_ANSWER_NEEDED
    assert str(one.pk) not in rows(client.get("/admin/conversations/").content.decode())
    client.post(url, {"action": "reopen"})
    one.refresh_from_db()
    assert one.state == IncomingMessage.State.ASSIGNED

    response = client.post(
        "/admin/conversations/", {"message": [str(two.pk), str(three.pk)], "action": "dismiss"}
    )
    assert response.status_code == 302
    assert set(
        IncomingMessage.objects.filter(pk__in=[two.pk, three.pk]).values_list("state", flat=True)
    ) == {IncomingMessage.State.NO_ANSWER_NEEDED}
    every = client.get("/admin/conversations/?state=all").content.decode()
    assert len(rows(every)) == 3


def test_the_answer_box_counts_as_the_network_counts(desk, a_volunteer, client):
    one = desk["a"][0]
    client.force_login(a_volunteer)
    url = f"/admin/conversations/{one.pk}/compter/"
    data = client.post(url, {"text": "Voici le lien https://a.fr/x"}).json()
    # Mastodon: the handle of the person answered first, a link weighs at least 23
    assert data["text"] == "@auteur1@example.org Voici le lien https://a.fr/x"
    assert data["length"] == len("@auteur1@example.org Voici le lien ") + 23
    assert data["limit"] == 500 and data["error"] == ""
    over = client.post(url, {"text": "mot " * 130}).json()
    assert over["length"] > 500 and "raccourcissez-la de" in over["error"]
    # too long is refused by the form too, and nothing is recorded
    page = client.post(
        f"/admin/conversations/{one.pk}/", {"action": "answer", "text": "mot " * 130}
    )
    assert page.status_code == 200 and "raccourcissez-la de" in page.content.decode()
    assert not Answer.objects.exists()


def test_b_sees_nothing_of_a_and_changes_nothing(desk, b_person, client):
    client.force_login(b_person)
    a_message = desk["a"][0]
    html = client.get("/admin/conversations/").content.decode()
    assert "Texte B un" in html and "Texte A" not in html
    site_a = desk["a"][0].site_id
    refused = client.get(f"/admin/conversations/?site={site_a}")
    assert refused.status_code in (302, 403) and "Texte A" not in refused.content.decode()
    assert client.get(f"/admin/conversations/{a_message.pk}/").status_code == 404
    assert (
        client.post(f"/admin/conversations/{a_message.pk}/compter/", {"text": "x"}).status_code
        == 404
    )
    for action in (
        {"action": "dismiss"},
        {"action": "answer", "text": "Coucou"},
        {"action": "like"},
    ):
        assert client.post(f"/admin/conversations/{a_message.pk}/", action).status_code == 404
    client.post("/admin/conversations/", {"message": [str(m.pk) for m in desk["a"]]})
    assert set(IncomingMessage.objects.filter(site_id=site_a).values_list("state", flat=True)) == {
        IncomingMessage.State.NEW
    }
    assert not Answer.objects.exists()


def test_the_preference_page_turns_the_daily_mail_off(a_volunteer, client):
    client.force_login(a_volunteer)
    assert client.get("/admin/conversations/preferences/").status_code == 200
    client.post("/admin/conversations/preferences/", {})
    assert a_volunteer.desk_preference.daily_email is False
    client.post("/admin/conversations/preferences/", {"daily_email": "on"})
    a_volunteer.desk_preference.refresh_from_db()
    assert a_volunteer.desk_preference.daily_email is True


def test_a_failed_answer_is_tried_again_from_the_desk(
    desk, a_volunteer, b_person, client, django_capture_on_commit_callbacks
):
    one = desk["a"][0]
    failed = Answer.objects.create(
        message=one,
        text="Réponse refusée",
        item_key=f"reply/mastodon/{one.remote_id}/k1",
        account=one.account,
        network="mastodon",
        state=Answer.State.FAILED,
        attempt=5,
        reason="La réponse ne peut pas partir telle quelle (refus) : écrivez-en une autre.",
    )
    client.force_login(b_person)
    assert (
        client.post(
            f"/admin/conversations/{one.pk}/", {"action": "retry", "answer": failed.pk}
        ).status_code
        == 404
    )
    client.force_login(a_volunteer)
    page = client.get(f"/admin/conversations/{one.pk}/").content.decode()
    assert "Réessayer" in page and "écrivez-en une autre" in page
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        client.post(f"/admin/conversations/{one.pk}/", {"action": "retry", "answer": failed.pk})
    failed.refresh_from_db()
    # nothing listens at the account's server: tried again, it waits for the next try
    assert enqueued and failed.attempt >= 1 and failed.state != Answer.State.SENT
    assert (
        failed.reason
        != "La réponse ne peut pas partir telle quelle (refus) : écrivez-en une autre."
    )
