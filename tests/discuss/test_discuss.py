"""Thank and discuss, through the admin and the real delivery engine, against the fake networks
(real HTTP servers on loopback): the contributors' handles, the thank-you drafted per network
and sent once through the ledger (also when an answer is lost), a discussion with a poll where
the network has polls and a plain refusal where it has none, its reply landing in the desk, a
watched entry made a discussion, and the contributors' statistics saying who helped."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.conversations import pulling
from cms.conversations.models import IncomingMessage
from cms.discuss import sending
from cms.discuss.drafting import draft_thanks
from cms.discuss.models import Discussion
from cms.publishing.models import ExportRecord
from cms.social.delivery import deliver
from cms.social.models import Delivery
from cms.taxonomy.models import Contributor
from cms.watch.models import Source, WatchEntry
from tests.cms.factories import make_item
from tests.social.support import make_account

LONG_TITLE = (
    "Nomination de Camille Durand à la direction technique du groupe, après quinze ans de "
    "carrière entre Lyon, Montréal et Singapour, et un passage remarqué par l'incubateur de "
    "l'école où elle a accompagné plus de quarante jeunes pousses"
)


@pytest.fixture
def people(site_tree):
    site = site_tree["site"]
    camille = Contributor(
        site=site,
        name="Camille Durand",
        mastodon="camille@piaille.fr",
        bluesky="@Camille.bsky.social",
        x="@camille_d",
    )
    camille.full_clean()
    camille.save()
    paul = Contributor.objects.create(site=site, name="Paul Martin")
    return [camille, paul]


@pytest.fixture
def item(site_tree, people, django_capture_on_commit_callbacks):
    """A live item crediting both (published before any account: it posts nothing itself)."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_item(site_tree, title=LONG_TITLE, slug="camille-durand", contributors=people)


def connect(site_tree, fakes, *names):
    return {name: make_account(site_tree["site"], fakes[name]) for name in names}


def bodies(fake, path):
    return [json.loads(r.body) for r in fake.requests if r.method == "POST" and r.path == path]


def test_handles_are_checked_and_written_as_each_network_mentions_them(people, site_tree):
    camille = people[0]
    assert camille.mastodon == "@camille@piaille.fr" and camille.bluesky == "camille.bsky.social"
    assert camille.handle("mastodon") == "@camille@piaille.fr"
    assert camille.handle("bluesky") == "@camille.bsky.social"
    assert camille.handle("x") == "@camille_d" and camille.handle("linkedin") == ""
    wrong = Contributor(
        site=site_tree["site"], name="Léa", mastodon="lea", bluesky="lea", x="@beaucoup_trop_long_1"
    )
    with pytest.raises(ValidationError) as caught:
        wrong.full_clean()
    assert set(caught.value.message_dict) == {"mastodon", "bluesky", "x"}
    assert "@nom@serveur" in caught.value.message_dict["mastodon"][0]


def test_thanks_are_drafted_per_network_with_handles_within_limits(
    site_tree, fakes, item, admin_user, client
):
    connect(site_tree, fakes, "mastodon", "x", "linkedin", "facebook", "instagram")
    client.force_login(admin_user)
    editor = client.get(f"/admin/pages/{item.pk}/edit/").content.decode()
    assert f"/admin/discuss/remercier/{item.pk}/" in editor  # the item's action
    page = client.get(f"/admin/discuss/remercier/{item.pk}/").content.decode()
    assert "@camille@piaille.fr" in page and "@camille_d" in page and "Paul Martin" in page
    response = client.post(f"/admin/discuss/remercier/{item.pk}/")
    thanks = Discussion.objects.get()
    assert response.status_code == 302 and response.url == f"/admin/discuss/{thanks.pk}/envoyer/"
    assert thanks.kind == "thanks" and thanks.page_id == item.pk
    assert thanks.networks == ["facebook", "linkedin", "mastodon", "x"]  # no picture: no Instagram
    texts = thanks.texts
    assert texts["mastodon"].startswith("Merci à @camille@piaille.fr et Paul Martin pour « ")
    assert texts["mastodon"].endswith(f"{LONG_TITLE} » !")  # fits Mastodon's 500
    assert texts["x"].startswith("Merci à @camille_d et Paul Martin pour « Nomination")
    assert "…" in texts["x"] and LONG_TITLE not in texts["x"]  # shortened to fit X with the link
    assert texts["linkedin"].startswith("Merci à Camille Durand et Paul Martin")  # names only
    shown = {p.network: p for p in sending.previews(thanks)}
    assert not shown["x"].error and shown["x"].length <= 280
    assert shown["x"].length > 260  # the title was cut only as far as needed
    assert shown["instagram"].error  # shown, not chosen: it publishes pictures only


def test_a_thank_you_goes_out_once_through_the_ledger(
    site_tree, fakes, item, admin_user, client, django_capture_on_commit_callbacks
):
    connect(site_tree, fakes, "mastodon", "x", "facebook")
    client.force_login(admin_user)
    client.post(f"/admin/discuss/remercier/{item.pk}/")
    thanks = Discussion.objects.get()
    edited = "Merci à @camille_d et Paul Martin pour leur article !"
    form = {
        "networks": ["mastodon", "x", "facebook"],
        "text-mastodon": thanks.texts["mastodon"],
        "text-x": edited,
        "text-facebook": thanks.texts["facebook"],
        "action": "send",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/discuss/{thanks.pk}/envoyer/", form)
    assert response.status_code == 302
    assert {n: len(fakes[n].posts) for n in ("mastodon", "x", "facebook")} == {
        "mastodon": 1,
        "x": 1,
        "facebook": 1,
    }
    rows = Delivery.objects.filter(item_key=f"discussion:{thanks.pk}")
    assert sorted(rows.values_list("network", "state")) == [
        ("facebook", "sent"),
        ("mastodon", "sent"),
        ("x", "sent"),
    ]
    assert all(r.page_id is None for r in rows)
    toot = fakes["mastodon"].posts[0]
    assert "@camille@piaille.fr" in toot["text"] and "utm_source=mastodon" in toot["link"]
    assert fakes["x"].posts[0]["text"].startswith(edited)  # the editor's text, with the link
    # Sending again, or through the admin again, posts nothing more
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/admin/discuss/{thanks.pk}/envoyer/", form, follow=True)
    assert "déjà partie" in again.content.decode()
    with pytest.raises(sending.LaunchError):
        sending.launch(Discussion.objects.get(), admin_user)
    for delivery in rows:
        deliver(delivery.pk)
    assert [len(fakes[n].posts) for n in ("mastodon", "x", "facebook")] == [1, 1, 1]
    page = client.get(f"/admin/discuss/{thanks.pk}/envoyer/").content.decode()
    assert toot["status"]["url"] in page  # the ledger's lines, with their links


def test_a_lost_answer_never_takes_the_items_own_post_for_the_thank_you(
    site_tree, fakes, people, admin_user, django_capture_on_commit_callbacks
):
    accounts = connect(site_tree, fakes, "mastodon")
    with django_capture_on_commit_callbacks(execute=True):  # the item's own post, same link
        item = make_item(site_tree, slug="camille-durand", contributors=people)
    assert len(fakes["mastodon"].posts) == 1
    thanks = draft_thanks(item, admin_user)
    fakes["mastodon"].faults.add("reset_before", path="/api/v1/statuses")
    sending.launch(thanks, admin_user)
    delivery = Delivery.objects.get(item_key=thanks.key, account=accounts["mastodon"])
    deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "needs_check" and len(fakes["mastodon"].posts) == 1
    Delivery.objects.filter(pk=delivery.pk).update(retry_at=timezone.now())
    deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "sent" and len(fakes["mastodon"].posts) == 2
    assert delivery.remote_id == fakes["mastodon"].posts[1]["id"]  # its own, not the item's


def test_a_discussion_without_link_is_not_posted_twice_after_a_lost_answer(
    site_tree, fakes, admin_user
):
    accounts = connect(site_tree, fakes, "mastodon")
    question = Discussion.objects.create(
        site=site_tree["site"], question="Qui vient au gala ?", networks=["mastodon"]
    )
    fakes["mastodon"].faults.add("reset_after", path="/api/v1/statuses")
    sending.launch(question, admin_user)
    delivery = Delivery.objects.get(item_key=question.key, account=accounts["mastodon"])
    deliver(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(retry_at=timezone.now())
    deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "failed" and "no link" in delivery.reason
    assert len(fakes["mastodon"].posts) == 1  # it is there once: the person checks, not a retry


def test_a_poll_goes_where_the_network_has_polls_and_is_refused_plainly_elsewhere(
    site_tree, fakes, admin_user, client, django_capture_on_commit_callbacks
):
    connect(site_tree, fakes, "mastodon", "x", "facebook")
    question = Discussion.objects.create(
        site=site_tree["site"],
        question="Où organiser la prochaine rencontre ?",
        context="Vos idées pour la rentrée.",
        poll_options="Lyon\nParis\nEn ligne",
        poll_hours=48,
        networks=["mastodon", "x", "facebook"],
    )
    client.force_login(admin_user)
    page = client.get(f"/admin/discuss/{question.pk}/envoyer/").content.decode()
    assert "Facebook ne permet pas de publier un sondage par son API" in page
    form = {
        "networks": ["mastodon", "x", "facebook"],
        "text-mastodon": "Où organiser la prochaine rencontre ?",
        "text-x": "Où organiser la prochaine rencontre ?",
        "text-facebook": "Où organiser la prochaine rencontre ?",
        "action": "send",
    }
    refused = client.post(f"/admin/discuss/{question.pk}/envoyer/", form, follow=True)
    assert "Facebook : Facebook ne permet pas" in refused.content.decode()
    assert not Delivery.objects.exists() and Discussion.objects.get().state == "draft"
    assert Discussion.objects.get().texts["x"] == form["text-x"]  # nothing typed is lost
    form["networks"] = ["mastodon", "x"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/discuss/{question.pk}/envoyer/", form)
    [x_body] = bodies(fakes["x"], "/2/tweets")
    assert x_body["poll"] == {"options": ["Lyon", "Paris", "En ligne"], "duration_minutes": 2880}
    [toot] = bodies(fakes["mastodon"], "/api/v1/statuses")
    assert toot["poll"] == {"options": ["Lyon", "Paris", "En ligne"], "expires_in": 172800}
    assert not fakes["facebook"].posts
    page = client.get(f"/admin/discuss/{question.pk}/envoyer/").content.decode()
    votes = page[page.index("data-poll-results") :]
    assert "Relais ne lit pas les votes sur X : consultez-les sur le réseau." in votes


def test_a_linkedin_poll_goes_with_its_question_and_a_duration_linkedin_lacks_is_refused(
    site_tree, fakes, admin_user, client, django_capture_on_commit_callbacks
):
    connect(site_tree, fakes, "linkedin")
    question = Discussion.objects.create(
        site=site_tree["site"],
        question="Où organiser la prochaine rencontre ?",
        poll_options="Lyon\nParis\nEn ligne",
        poll_hours=48,
        networks=["linkedin"],
    )
    client.force_login(admin_user)
    page = client.get(f"/admin/discuss/{question.pk}/envoyer/").content.decode()
    assert "un sondage reste ouvert l&#x27;une de ces durées, en heures : 24, 72, 168, 336" in page
    form = {
        "networks": ["linkedin"],
        "text-linkedin": "Votre avis ? Trois lieux possibles.",
        "action": "send",
    }
    refused = client.post(f"/admin/discuss/{question.pk}/envoyer/", form, follow=True)
    assert "LinkedIn : Sur LinkedIn, un sondage reste ouvert" in refused.content.decode()
    assert not Delivery.objects.exists() and Discussion.objects.get().state == "draft"
    Discussion.objects.filter(pk=question.pk).update(question="Où ? " + "x" * 140, poll_hours=72)
    page = client.get(f"/admin/discuss/{question.pk}/envoyer/").content.decode()
    assert "la question d&#x27;un sondage fait de 1 à 140 caractères" in page
    Discussion.objects.filter(pk=question.pk).update(question="Où se retrouver ?")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/discuss/{question.pk}/envoyer/", form)
    [body] = bodies(fakes["linkedin"], "/rest/posts")
    assert body["commentary"] == "Votre avis ? Trois lieux possibles."
    assert body["content"]["poll"]["question"] == "Où se retrouver ?"
    assert body["content"]["poll"]["settings"]["duration"] == "THREE_DAYS"
    assert [o["text"] for o in body["content"]["poll"]["options"]] == ["Lyon", "Paris", "En ligne"]
    delivery = Delivery.objects.get(item_key=question.key)
    assert delivery.state == "sent"

    # the votes, read back from LinkedIn when the page is shown
    for voter, option in (("a", 0), ("b", 2), ("c", 0)):
        fakes["linkedin"].vote(delivery.remote_id, option, f"urn:li:person:{voter}")
    page = client.get(f"/admin/discuss/{question.pk}/envoyer/").content.decode()
    votes = page[page.index("data-poll-results") :]
    assert '<th scope="row">Lyon</th><td>2</td><td>67</td>' in votes
    assert '<th scope="row">Paris</th><td>0</td><td>0</td>' in votes
    assert '<th scope="row">En ligne</th><td>1</td><td>33</td>' in votes
    assert "3 votants · sondage en cours" in votes
    # LinkedIn failing: the page still shows, and says why the votes are missing
    fakes["linkedin"].faults.add("error_500", method="GET", path="/rest/posts/", times=5)
    page = client.get(f"/admin/discuss/{question.pk}/envoyer/")
    assert page.status_code == 200
    assert "Les votes n&#x27;ont pas pu être lus sur LinkedIn" in page.content.decode()


def test_a_reply_to_a_discussion_lands_in_the_desk(
    site_tree, fakes, admin_user, client, django_capture_on_commit_callbacks
):
    accounts = connect(site_tree, fakes, "mastodon")
    question = Discussion.objects.create(
        site=site_tree["site"], question="Qui vient au gala ?", networks=["mastodon"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        sending.launch(question, admin_user)
    delivery = Delivery.objects.get(item_key=question.key)
    assert delivery.state == "sent"
    fakes["mastodon"].add_reply(delivery.remote_id, "Moi, avec deux amis !")
    pulled = pulling.pull_account(accounts["mastodon"])
    assert pulled.stored == 1 and not pulled.error
    message = IncomingMessage.objects.get()
    assert message.delivery == delivery and "deux amis" in message.text
    client.force_login(admin_user)
    desk = client.get("/admin/conversations/").content.decode()
    assert "deux amis" in desk


def test_a_watched_entry_becomes_a_discussion_draft(site_tree, fakes, admin_user, client):
    connect(site_tree, fakes, "mastodon", "instagram")
    source = Source.objects.create(
        site=site_tree["site"], url="https://presse.example.org/flux.rss", title="Les Échos"
    )
    entry = WatchEntry.objects.create(
        site=site_tree["site"],
        source=source,
        link="https://presse.example.org/ecoles-ingenieurs",
        title="Les écoles d'ingénieurs face à la pénurie",
        summary="Un rapport chiffre le manque d'ingénieurs à 20 000 par an.",
        published=timezone.now(),
        story_key="presse.example.org/ecoles-ingenieurs",
    )
    client.force_login(admin_user)
    response = client.post(f"/admin/watch/entries/{entry.pk}/discussion/")
    question = Discussion.objects.get()
    assert response.url == f"/admin/discuss/{question.pk}/envoyer/"
    assert "Les écoles d'ingénieurs face à la pénurie" in question.question
    assert question.link == entry.link and question.source == "Les Échos"
    assert question.entry == entry and question.networks == ["mastodon"]
    entry.refresh_from_db()
    assert (entry.state, entry.kept_for) == ("kept", "discussion")
    [preview] = [p for p in sending.previews(question) if p.network == "mastodon"]
    assert entry.link in preview.text and "Source : Les Échos" in preview.text
    assert not preview.error


def test_the_contributors_statistics_say_who_helped(
    site_tree, fakes, item, admin_user, client, django_capture_on_commit_callbacks
):
    connect(site_tree, fakes, "mastodon")
    client.force_login(admin_user)
    client.post(f"/admin/discuss/remercier/{item.pk}/")
    thanks = Discussion.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        sending.launch(thanks, admin_user)
    page = client.get("/admin/stats/contributeurs/").content.decode()
    assert "Qui a aidé" in page
    section = page[page.index("block-who-helped") :]
    assert '<th scope="row">Camille Durand</th><td>1</td><td>1</td>' in section
    assert '<th scope="row">Paul Martin</th><td>1</td><td>1</td>' in section


def test_a_discussion_is_written_in_the_admin_and_a_bad_poll_is_refused_plainly(
    site_tree, fakes, item, admin_user, client
):
    connect(site_tree, fakes, "mastodon")
    client.force_login(admin_user)
    form = {
        "question": "Qui vient au gala ?",
        "context": "Le 12 juin, à Lyon.",
        "page": item.pk,
        "link": "",
        "source": "",
        "poll_options": "Oui",
        "poll_hours": "24",
        "networks": ["mastodon"],
    }
    refused = client.post("/admin/snippets/discuss/discussion/add/", form)
    assert refused.status_code == 200 and not Discussion.objects.exists()
    assert "de 2 à 4 choix" in refused.content.decode()
    form["poll_options"] = "Oui\nNon"
    response = client.post("/admin/snippets/discuss/discussion/add/", form)
    assert response.status_code == 302
    question = Discussion.objects.get()
    assert question.site == site_tree["site"] and question.networks == ["mastodon"]
    assert question.poll is not None and question.poll.seconds == 86400
    [preview] = sending.previews(question)
    assert not preview.error and preview.poll
    listing = client.get("/admin/snippets/discuss/discussion/").content.decode()
    assert f"/admin/discuss/{question.pk}/envoyer/" in listing


def test_a_linked_item_withdrawn_before_sending_fails_with_the_reason(
    site_tree, fakes, item, admin_user
):
    accounts = connect(site_tree, fakes, "mastodon")
    question = Discussion.objects.create(
        site=site_tree["site"], question="Qui vient ?", page=item, networks=["mastodon"]
    )
    sending.launch(question, admin_user)
    ExportRecord.objects.filter(page_id=item.pk).update(withdrawn=True)
    delivery = Delivery.objects.get(item_key=question.key, account=accounts["mastodon"])
    deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "failed" and "L'article lié n'est pas en ligne" in delivery.reason
    assert not fakes["mastodon"].posts
