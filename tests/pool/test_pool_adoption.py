"""Adopt, adapt, schedule, decline: through the admin's inbox, with the real pipeline (export to
the association's folder, build of its site, posts to its own accounts on the fake networks)."""

from __future__ import annotations

import datetime as dt
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cms.content.models import ItemPage
from cms.pool.models import Offer, Share
from cms.publishing.models import ExportRecord
from cms.social.delivery import deliver
from cms.social.models import Delivery, SocialAccount
from relais.contentfile import load_file
from tests.cms.factories import make_item
from tests.pool.conftest import editor_of
from tests.social.support import connect_through_admin, edit_through_admin, form_data

SLUG = "forum-emploi-2027"
NETWORKS = ("x", "mastodon")


def connect_accounts(client: Client, fakes: dict, *associations: Any) -> None:
    for association in associations:
        connect_through_admin(client, "x", association.site)
        connect_through_admin(client, "mastodon", association.site, instance=fakes["mastodon"].url)
    assert SocialAccount.objects.count() == 2 * len(associations)


def publish_shared(federation: dict, capture: Any, **share: Any) -> ItemPage:
    """The federation writes an item, shares it with everyone below it, publishes it."""
    fed_home = federation["federation"].site.root_page
    index = fed_home.get_children().get(slug="actualites").specific
    page = make_item(
        {"indexes": {"actualites": index}},
        publish=False,
        slug=SLUG,
        title="Forum de l'emploi 2027",
        summary="Le forum de l'emploi des ingénieurs revient en mars.",
    )
    Share.objects.create(page=page, **share)
    with capture(execute=True):
        page.save_revision().publish()
    page.refresh_from_db()
    return page


def offer_of(page: ItemPage, association: Any) -> Offer:
    return Offer.objects.get(original_id=page.pk, association=association)


def act(client: Client, offer: Offer, action: str, capture: Any, **data: Any) -> Any:
    with capture(execute=True):
        return client.post(f"/admin/pool/offers/{offer.pk}/{action}/", data)


def posts_linking(fake: Any, association: Any) -> list[dict]:
    return [p for p in fake.posts if p["link"].startswith(association.public_url + "/actualites/")]


@pytest.fixture
def editors(federation, django_user_model) -> dict[str, Client]:
    clients = {}
    for key in ("a", "b"):
        c = Client()
        c.force_login(editor_of(federation[key], f"redaction-{key}", django_user_model))
        clients[key] = c
    return clients


def test_adopted_by_a_declined_by_b(
    federation, editors, fakes, providers, client, admin_user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    fed, a, b = federation["federation"], federation["a"], federation["b"]
    client.force_login(admin_user)
    connect_accounts(client, fakes, fed, a, b)
    original = publish_shared(federation, capture)
    for network in NETWORKS:  # the federation posted on its own accounts
        assert len(fakes[network].posts) == 1
        assert len(posts_linking(fakes[network], fed)) == 1

    # A's inbox shows the item; B's editor cannot see or act on A's offer
    inbox = unescape(editors["a"].get("/admin/pool/").content.decode())
    assert "Forum de l'emploi 2027" in inbox and "Le forum de l'emploi des ingénieurs" in inbox
    assert (
        editors["b"].post(f"/admin/pool/offers/{offer_of(original, a).pk}/adopt/").status_code
        == 404
    )

    response = act(editors["a"], offer_of(original, a), "adopt", capture)
    assert response.status_code == 302
    act(editors["b"], offer_of(original, b), "decline", capture)

    offer = offer_of(original, a)
    assert offer.state == Offer.State.ADOPTED and offer.decided_by.username == "redaction-a"
    assert offer_of(original, b).state == Offer.State.DECLINED
    copy = offer.copy.specific
    assert copy.live and copy.get_site() == a.site
    assert copy.get_parent().get_parent().pk == a.site.root_page_id  # A's own section index

    # A's content file names the original as canonical; A's static page links it
    record = ExportRecord.objects.get(page_id=copy.pk)
    assert record.site_id == a.site_id and record.live_at is not None
    item = load_file(a.content_dir / record.path)
    assert item.canonical_url == original.static_url == f"{fed.public_url}/actualites/{SLUG}/"
    html = (a.output_dir / "actualites" / SLUG / "index.html").read_text()
    assert f'<link rel="canonical" href="{original.static_url}">' in html
    # nothing on B's site
    assert not (b.content_dir / "actualites" / f"{SLUG}.md").exists()
    assert not (b.output_dir / "actualites" / SLUG).exists()

    # posted once on each of A's accounts, linking A's own page; nothing from B
    for network in NETWORKS:
        fake = fakes[network]
        assert len(fake.posts) == 2, network
        assert len(posts_linking(fake, a)) == 1 and posts_linking(fake, b) == []
        assert "utm_source" in posts_linking(fake, a)[0]["link"]
    deliveries = Delivery.objects.filter(page_id=copy.pk)
    assert sorted(d.account.site_id for d in deliveries) == [a.site_id, a.site_id]
    assert {d.state for d in deliveries} == {"sent"}

    # exactly once: delivering again, or publishing the copy again, posts nothing more
    for delivery in deliveries:
        deliver(delivery.pk)
    with capture(execute=True):
        copy.save_revision().publish()
    assert [len(fakes[n].posts) for n in NETWORKS] == [2, 2]

    # the same offer cannot be adopted twice
    again = act(editors["a"], offer, "adopt", capture)
    assert again.status_code == 302
    assert ItemPage.objects.filter(slug=SLUG).count() == 2  # the original and A's copy


def test_adapt_keeps_the_associations_own_texts(
    federation, editors, fakes, providers, client, admin_user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    a = federation["a"]
    client.force_login(admin_user)
    connect_accounts(client, fakes, a)
    original = publish_shared(federation, capture)

    response = act(editors["a"], offer_of(original, a), "adapt", capture)
    offer = offer_of(original, a)
    assert offer.state == Offer.State.ADAPTED
    copy = offer.copy.specific
    assert response.headers["Location"] == f"/admin/pages/{copy.pk}/edit/"
    assert not copy.live and not Delivery.objects.filter(page_id=copy.pk).exists()

    own_text = "Nantes y sera : venez nous voir au stand 12 !"
    data = form_data(editors["a"].get(f"/admin/pages/{copy.pk}/edit/").content)
    data["summary"] = "Les alumni de Nantes tiennent un stand au forum."
    data["social_texts-mastodon-text"] = own_text
    data["body-count"] = "0"
    data["action-publish"] = "action-publish"
    with capture(execute=True):
        response = editors["a"].post(f"/admin/pages/{copy.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    record = ExportRecord.objects.get(page_id=copy.pk)
    item = load_file(a.content_dir / record.path)
    assert item.summary == "Les alumni de Nantes tiennent un stand au forum."
    assert item.canonical_url == original.static_url
    mastodon = [p for p in posts_linking(fakes["mastodon"], a)]
    assert len(mastodon) == 1 and mastodon[0]["text"].startswith(own_text)

    # the federation corrects its original: A's copy is kept, A is told, and sees what changed
    with capture(execute=True):
        edit_through_admin(client, original, summary="Le forum revient le 12 mars, à Paris.")
    offer.refresh_from_db()
    copy.refresh_from_db()
    assert offer.original_changed
    assert copy.summary == "Les alumni de Nantes tiennent un stand au forum."
    assert "L'original a changé" in editors["a"].get("/admin/pool/").content.decode()
    changes = editors["a"].get(f"/admin/pool/offers/{offer.pk}/changes/").content.decode()
    assert "<del>Le forum de l&#x27;emploi des ingénieurs revient en mars.</del>" in changes
    assert "<ins>Le forum revient le 12 mars, à Paris.</ins>" in changes
    act(editors["a"], offer, "seen", capture)
    offer.refresh_from_db()
    assert not offer.original_changed


def test_schedule_puts_the_copy_online_later(
    federation, editors, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    a = federation["a"]
    original = publish_shared(federation, capture)
    offer = offer_of(original, a)
    when = timezone.localtime() + dt.timedelta(days=2)
    act(editors["a"], offer, "schedule", capture, go_live_at="hier")  # bad input: says how
    offer.refresh_from_db()
    assert offer.is_open
    act(editors["a"], offer, "schedule", capture, go_live_at=when.strftime("%Y-%m-%dT%H:%M"))
    offer.refresh_from_db()
    copy = offer.copy.specific
    assert offer.state == Offer.State.SCHEDULED
    assert not copy.live and copy.go_live_at is not None
    assert abs(copy.go_live_at - when) < dt.timedelta(minutes=1)
    assert not ExportRecord.objects.filter(page_id=copy.pk).exists()


def test_what_stops_an_adoption_says_what_to_do_and_loses_nothing(
    federation, editors, django_user_model, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    a, b = federation["a"], federation["b"]
    original = publish_shared(federation, capture)
    # B has no "actualites" section: a clear message, the offer stays open
    b.site.root_page.get_children().get(slug="actualites").delete()
    response = act(editors["b"], offer_of(original, b), "adopt", capture)
    messages = [unescape(str(m)) for m in response.wsgi_request._messages]
    assert any("n'a pas de rubrique « Actualités des alumni »" in m for m in messages), messages
    assert offer_of(original, b).is_open
    act(editors["b"], offer_of(original, b), "decline", capture)  # declining needs no section
    assert offer_of(original, b).state == Offer.State.DECLINED
    # an editor of A who may not publish can adapt, not adopt
    from tests.pool.conftest import editors_group

    writer = django_user_model.objects.create_user("plume", "p@example.org", "pw")
    writer.groups.add(editors_group("Nantes sans publication", a.site.root_page, publish=False))
    a.editors = writer.groups.get()
    a.save()
    c = Client()
    c.force_login(writer)
    response = act(c, offer_of(original, a), "adopt", capture)
    messages = [unescape(str(m)) for m in response.wsgi_request._messages]
    assert any("soumettez-le à un modérateur" in m for m in messages), messages
    assert offer_of(original, a).is_open
    act(c, offer_of(original, a), "adapt", capture)
    assert offer_of(original, a).state == Offer.State.ADAPTED
