"""The desk against an independently written Mastodon server (``mastodon-mock``, PyPI) on
loopback: replies pulled into association A's desk, linked to the post they answer, pulled
again without duplicates, answered from the admin exactly once although the server's response
to the answer is lost, favourited, and shown with their thread."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.utils import timezone

from cms.conversations import pulling
from cms.conversations.models import Answer, IncomingMessage, PullCursor
from cms.conversations.tasks import answer_task, pull_task
from cms.social import models as social_models
from syndication.compose import compose
from syndication.networks import registry
from syndication.networks.mastodon import MastodonClient
from syndication.testing.worker import synthetic_item
from tests.convdesk.support import as_bob, mastodon_account, posted

pytestmark = pytest.mark.peer


class LoseTheAnswer(requests.Session):
    """Sends the first answer (a status in reply to another), then loses the server's response
    as a connection reset would."""

    lost = 0

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        response = super().send(request, **kwargs)
        body = request.body or b""
        if request.method == "POST" and b"in_reply_to_id" in body and not LoseTheAnswer.lost:
            LoseTheAnswer.lost += 1
            raise requests.exceptions.ConnectionError("connection reset after the request")
        return response


def context_of(server: str, status: str) -> dict:
    return requests.get(
        f"{server}/api/v1/statuses/{status}/context",
        headers={"Authorization": "Bearer alice_token"},
        timeout=10,
    ).json()


@pytest.fixture
def setup(two_sites, mastodon_mock):
    a = two_sites["a"]
    account = mastodon_account(a["site"], mastodon_mock)
    client = MastodonClient({"access_token": "alice_token"}, base_url=mastodon_mock)
    post = client.publish(compose(synthetic_item(1), registry.create("mastodon"))).id
    delivery = posted(a, account, post)
    return {"server": mastodon_mock, "account": account, "post": post, "delivery": delivery}


def test_pull_stores_each_reply_once_linked_to_its_post(setup):
    server, post = setup["server"], setup["post"]
    first = as_bob(server, "@alice Bravo ! Quand a lieu la rencontre ?", post)
    second = as_bob(server, "@alice Merci pour la nouvelle", first)

    done = pulling.pull()
    assert [(p.read, p.stored, p.error) for p in done] == [(2, 2, "")]
    stored = {m.remote_id: m for m in IncomingMessage.objects.all()}
    assert set(stored) == {first, second}
    question = stored[first]
    assert question.site == setup["account"].site and question.network == "mastodon"
    assert question.kind == "reply" and question.author_handle == "bob"
    assert question.delivery == setup["delivery"] and question.post_remote_id == post
    assert question.is_question and not stored[second].is_question
    assert question.state == IncomingMessage.State.NEW
    assert stored[second].parent_remote_id == first and stored[second].root_remote_id == post

    # pulled again: nothing new, nothing twice; then only what came since
    assert [(p.read, p.stored) for p in pulling.pull()] == [(0, 0)]
    PullCursor.objects.update(cursor="")  # even read again from the start: stored once
    assert [p.stored for p in pulling.pull()] == [0]
    late = as_bob(server, "@alice Et pour les promos 2010 ?", post)
    assert [(p.read, p.stored) for p in pulling.pull()] == [(1, 1)]
    assert IncomingMessage.objects.count() == 3
    assert IncomingMessage.objects.filter(remote_id=late).exists()


def test_answer_from_the_desk_once_when_the_response_is_lost(
    setup, a_volunteer, client, monkeypatch, django_capture_on_commit_callbacks
):
    server, post = setup["server"], setup["post"]
    question = as_bob(server, "@alice Où a lieu la rencontre ?", post)
    pulling.pull()
    message = IncomingMessage.objects.get(remote_id=question)
    LoseTheAnswer.lost = 0
    monkeypatch.setattr(social_models.outbound, "session", LoseTheAnswer)

    client.force_login(a_volunteer)
    page = client.get(f"/admin/conversations/{message.pk}/")
    assert page.status_code == 200
    assert "Où a lieu la rencontre ?" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/conversations/{message.pk}/",
            {"action": "answer", "text": "Le 12 juin, à Lyon."},
        )
    assert response.status_code == 302

    assert LoseTheAnswer.lost == 1  # the answer reached the server, its response did not
    answer = Answer.objects.get()
    # uncertain: looked for on the network only after the check delay, never sent again blindly
    assert answer.state == Answer.State.NEEDS_CHECK and answer.retry_at is not None
    assert IncomingMessage.objects.get(pk=message.pk).state == IncomingMessage.State.ASSIGNED

    # later: the clock's pull carries on the answers that are due (the deferred task was lost)
    Answer.objects.update(retry_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        pull_task.call()
    answer.refresh_from_db()
    assert answer.state == Answer.State.SENT and answer.attempt == 1
    assert "found on the network" in answer.reason
    assert answer.author == a_volunteer
    mine = [
        s for s in context_of(server, question)["descendants"] if s["account"]["acct"] == "alice"
    ]
    assert [s["id"] for s in mine] == [answer.remote_id]
    assert mine[0]["in_reply_to_id"] == question
    message.refresh_from_db()
    assert message.state == IncomingMessage.State.ANSWERED
    assert message.first_answer_at is not None
    first_answer_at = message.first_answer_at

    # the task run again (a worker restarted, a task enqueued twice): nothing more is sent
    answer_task.call(answer.pk)
    mine = [
        s for s in context_of(server, question)["descendants"] if s["account"]["acct"] == "alice"
    ]
    assert len(mine) == 1
    message.refresh_from_db()
    assert message.first_answer_at == first_answer_at

    # the account's own answer is not pulled into the desk as a message to answer
    pulling.pull()
    assert not IncomingMessage.objects.filter(remote_id=answer.remote_id).exists()

    # the thread, as the server has it, with the answer in it
    page = client.get(f"/admin/conversations/{message.pk}/").content.decode()
    assert "Le 12 juin, à Lyon." in page and "Le fil n&#x27;a pas pu" not in page


def test_favourite_from_the_desk(setup, a_volunteer, client, django_capture_on_commit_callbacks):
    server, post = setup["server"], setup["post"]
    reply = as_bob(server, "@alice Superbe article", post)
    pulling.pull()
    message = IncomingMessage.objects.get(remote_id=reply)
    client.force_login(a_volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/conversations/{message.pk}/", {"action": "like"})
    status = requests.get(
        f"{server}/api/v1/statuses/{reply}",
        headers={"Authorization": "Bearer alice_token"},
        timeout=10,
    ).json()
    assert status["favourited"] is True and status["favourites_count"] == 1
    message.refresh_from_db()
    assert message.liked_at is not None and message.action_error == ""
