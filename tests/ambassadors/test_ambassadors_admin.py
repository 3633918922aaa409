"""The ambassadors in the admin: each association's own, added by hand with its site, the
page's link sent (never shown), and a person's data erased on request with their sign-ups."""

from __future__ import annotations

from django.core import mail

from cms.ambassadors.models import Ambassador, AmbassadorVisits
from cms.members import erasure
from tests.federation.builders import member_of

INDEX = "/admin/ambassadeurs/"


def refused(response) -> bool:
    """Wagtail answers a refused right by sending back to the dashboard with a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def test_b_sees_nothing_of_as_ambassadors(world, b_user, client):
    a_one = world["ambassador"]
    mine = Ambassador.objects.create(site=world["b"]["site"], name="Bruno Bravo", email="b@b.org")
    client.force_login(b_user)
    listing = client.get(INDEX).content.decode()
    assert "Bruno Bravo" in listing and "Inès" not in listing
    assert refused(client.get(INDEX, {"site": world["a"]["site"].pk}))
    for url in (f"{INDEX}edit/{a_one.pk}/", f"{INDEX}delete/{a_one.pk}/"):
        assert client.get(url).status_code == 404
    token = a_one.token
    assert client.post(f"{INDEX}{a_one.pk}/lien/", {"new": "1"}).status_code == 404
    a_one.refresh_from_db()
    assert a_one.token == token
    board = client.get(f"{INDEX}classement/").content.decode()
    assert "Bruno Bravo" in board and "Inès" not in board and a_one.reference not in board
    assert refused(client.get(f"{INDEX}classement/", {"site": world["a"]["site"].pk}))
    # the token of B's own ambassador is not shown in the admin either
    assert mine.token not in client.get(f"{INDEX}edit/{mine.pk}/").content.decode()


def test_added_by_hand_with_the_chosen_site_and_sent_the_link(
    world, b_user, client, django_capture_on_commit_callbacks
):
    client.force_login(b_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{INDEX}new/",
            {
                "name": "Carla Bravo",
                "email": "carla@example.org",
                "reference": "carlab",
                "active": "on",
                "weekly_email": "on",
                "mastodon": "@carla@mamot.fr",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Ambassador.objects.get(email="carla@example.org")
    assert made.site == world["b"]["site"] and made.reference == "carlab"
    (sent,) = mail.outbox
    assert sent.to == ["carla@example.org"] and made.token in sent.body
    # a new link: the old one stops working, the new one is sent
    old = made.token
    mail.outbox.clear()
    response = client.post(f"{INDEX}{made.pk}/lien/", {"new": "1"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.token != old and made.token in mail.outbox[0].body
    assert client.get(f"/ambassadeurs/{old}/").status_code == 404
    assert client.get(f"/ambassadeurs/{made.token}/").status_code == 200


def test_an_editor_without_the_right_cannot_manage_them(world, client):
    editor = member_of(world["a"]["association"], "editors", username="ed_a")
    client.force_login(editor)
    assert refused(client.get(INDEX))
    assert refused(client.get(f"{INDEX}classement/"))


def test_erasure_on_request_deletes_the_ambassador_of_that_association_only(world):
    a_one = world["ambassador"]
    AmbassadorVisits.objects.create(site=world["a"]["site"], ambassador=a_one, day="2026-11-01")
    b_twin = Ambassador.objects.create(
        site=world["b"]["site"], name="Inès en B", email="INES@example.org"
    )
    erasure.erase("ines@example.org", world["a"]["site"])
    assert not Ambassador.objects.filter(pk=a_one.pk).exists()
    assert not AmbassadorVisits.objects.filter(ambassador_id=a_one.pk).exists()
    assert Ambassador.objects.filter(pk=b_twin.pk).exists()


def test_a_reference_the_counter_would_drop_is_refused(world, b_user, client):
    client.force_login(b_user)
    response = client.post(
        f"{INDEX}new/",
        {"name": "Dan", "email": "dan@example.org", "reference": "dan0612345678", "active": "on"},
    )
    assert response.status_code == 200
    assert "Lettres minuscules sans accent et tirets seulement" in response.content.decode()
    assert not Ambassador.objects.filter(email="dan@example.org").exists()
