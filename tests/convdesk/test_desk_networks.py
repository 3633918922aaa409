"""The desk with the project's contract fakes (real HTTP servers on loopback): Facebook's
comments pulled per post, answered once under a lost response, liked and hidden; an X app
whose access level refuses reads is noted on its account, in plain French, while the others
are pulled all the same; Instagram cannot like (no button, and the desk says so)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from cms.conversations import pulling
from cms.conversations.models import Answer, IncomingMessage, PullCursor
from cms.conversations.tasks import answer_task
from syndication.compose import compose
from syndication.models import ImageRef
from syndication.networks import registry
from syndication.testing.fakes import client_for
from syndication.testing.worker import synthetic_item
from tests.convdesk.support import fake_account, posted


def publish(fake, n: int = 1) -> str:
    item = synthetic_item(n)
    if fake.network == "instagram":
        item.image = ImageRef(url=f"https://alumni.example.org/img/{n}.jpg", alt="photo")
    return client_for(fake).publish(compose(item, registry.create(fake.network))).id


def test_facebook_comments_answered_once_liked_and_hidden(
    two_sites, fake_factory, a_volunteer, client, django_capture_on_commit_callbacks
):
    a = two_sites["a"]
    fake = fake_factory("facebook")
    account = fake_account(a["site"], fake)
    post = publish(fake)
    delivery = posted(a, account, post)
    asked = fake.add_comment(post, "Bonjour, comment adhérer à l'association ?")
    rude = fake.add_comment(post, "Spam spam spam")

    assert [(p.stored, p.error) for p in pulling.pull()] == [(2, "")]
    question = IncomingMessage.objects.get(remote_id=asked)
    assert question.kind == "comment" and question.delivery == delivery and question.is_question

    client.force_login(a_volunteer)
    fake.faults.add("reset_after", method="POST", path=r"/comments$")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/conversations/{question.pk}/",
            {"action": "answer", "text": "Par la page Adhérer du site !"},
        )
    answer = Answer.objects.get()
    assert answer.state == Answer.State.NEEDS_CHECK  # looked up after the check delay
    Answer.objects.update(retry_at=None)
    answer_task.call(answer.pk)
    answer.refresh_from_db()
    assert answer.state == Answer.State.SENT
    assert len(fake.answers) == 1 and fake.answers[0]["id"] == answer.remote_id
    question.refresh_from_db()
    assert question.state == IncomingMessage.State.ANSWERED and question.first_answer_at

    spam = IncomingMessage.objects.get(remote_id=rude)
    page = client.get(f"/admin/conversations/{spam.pk}/").content.decode()
    assert "Masquer ce commentaire" in page and "J'aime" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/conversations/{spam.pk}/", {"action": "hide"})
        client.post(f"/admin/conversations/{question.pk}/", {"action": "like"})
    assert fake.hidden == {rude} and fake.liked == {asked}
    spam.refresh_from_db()
    assert spam.hidden_at is not None


def test_a_refusing_network_is_noted_on_its_account_and_the_others_are_pulled(
    two_sites, fake_factory, a_volunteer, client
):
    a = two_sites["a"]
    x, facebook = fake_factory("x"), fake_factory("facebook")
    x.mentions_allowed = False  # the app's access level has no reads: X answers 403
    x_account = fake_account(a["site"], x)
    fb_account = fake_account(a["site"], facebook)
    post = publish(facebook)
    posted(a, fb_account, post)
    facebook.add_comment(post, "Merci !")

    results = {p.account.network: p for p in pulling.pull()}
    assert results["facebook"].stored == 1 and results["facebook"].error == ""
    assert results["x"].stored == 0
    refused = PullCursor.objects.get(account=x_account)
    assert "refuse à Relais la lecture" in refused.last_error
    assert "Paramètres → Réseaux" in refused.last_error
    assert "x-" not in refused.last_error.split("(")[0]  # no token in the words shown

    client.force_login(a_volunteer)
    page = client.get("/admin/conversations/").content.decode()
    assert "refuse à Relais la lecture" in page and "lu normalement" in page


def test_instagram_offers_no_like(two_sites, fake_factory, a_volunteer, client):
    a = two_sites["a"]
    fake = fake_factory("instagram")
    account = fake_account(a["site"], fake)
    post = publish(fake)
    posted(a, account, post)
    fake.add_comment(post, "Belle photo")
    pulling.pull()
    message = IncomingMessage.objects.get()
    client.force_login(a_volunteer)
    page = client.get(f"/admin/conversations/{message.pk}/").content.decode()
    assert "Masquer ce commentaire" in page and "J'aime" not in page


@pytest.mark.parametrize("name", ["mastodon", "linkedin"])
def test_pulls_from_the_other_fakes(two_sites, fake_factory, name):
    a = two_sites["a"]
    fake = fake_factory(name)
    account = fake_account(a["site"], fake)
    post = publish(fake)
    posted(a, account, post)
    if name == "mastodon":
        fake.add_reply(post, "Quand est la prochaine soirée ?")
    else:
        fake.add_comment(post, "Quand est la prochaine soirée ?")
    assert [p.stored for p in pulling.pull()] == [1]
    assert [p.stored for p in pulling.pull()] == [0]
    assert IncomingMessage.objects.get().is_question


def test_the_pull_command_says_how_each_account_went(two_sites, fake_factory):
    a = two_sites["a"]
    x, facebook = fake_factory("x"), fake_factory("facebook")
    x.mentions_allowed = False
    fake_account(a["site"], x)
    account = fake_account(a["site"], facebook)
    post = publish(facebook)
    posted(a, account, post)
    facebook.add_comment(post, "Bravo")
    out = StringIO()
    call_command("pull_conversations", "--site", str(a["site"].pk), stdout=out)
    text = out.getvalue()
    assert "Facebook · Alumni facebook: 1 read, 1 new" in text
    assert "X · Alumni x: 0 read, 0 new — Le réseau refuse à Relais la lecture" in text
    other = StringIO()
    call_command("pull_conversations", "--site", str(two_sites["b"]["site"].pk), stdout=other)
    assert "No active account" in other.getvalue()
