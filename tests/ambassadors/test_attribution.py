"""A visit through an ambassador's share link, then a sign-up, are the ambassador's: through
the real counter endpoint (as the site's pages call it) and the real sign-up form view; the
leaderboard shows what is stored. A sign-up that asks to become an ambassador makes one."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone

from cms.ambassadors.models import Ambassador, AmbassadorVisits
from cms.audience.models import PageViewCount
from cms.members.models import Signup
from tests.audience.conftest import FIREFOX
from tests.federation.builders import member_of
from tests.members.helpers import form_data


def shared_link(client, ambassador, network: str = "linkedin") -> str:
    soup = BeautifulSoup(client.get(f"/ambassadeurs/{ambassador.token}/").content, "html.parser")
    return soup.select_one(f'section[data-network="{network}"] a.copy-link')["href"]


def visit(client, link: str, slug: str = "") -> None:
    """What the static page's script does on arrival by ``link``: the counter's image with the
    page's path and its ``utm_*`` (base.html of the theme)."""
    parts = urlsplit(link)
    utm = {k: v[0] for k, v in parse_qs(parts.query).items()}
    path = parts.path
    query = urlencode({"p": path, **utm})
    response = client.get(f"/c/{slug + '/' if slug else ''}p.gif?{query}", HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"


def leaderboard(client, site, **period) -> dict[str, tuple[int, int]]:
    html = client.get("/admin/ambassadeurs/classement/", {"site": site.pk, **period})
    assert html.status_code == 200
    soup = BeautifulSoup(html.content, "html.parser")
    return {
        tr["data-reference"]: (
            int(tr.select_one(".visits").text),
            int(tr.select_one(".signups").text),
        )
        for tr in soup.select("#leaderboard tr[data-reference]")
    }


def test_a_visit_then_a_sign_up_are_the_ambassadors(world, client):
    a, ambassador = world["a"], world["ambassador"]
    link = shared_link(client, ambassador, "x")
    # two people arrive through the shared link, one through the association's own post
    visit(client, link)
    visit(client, link)
    visit(client, link.replace("utm_medium=ambassador", "utm_medium=social"))
    counted = AmbassadorVisits.objects.get(ambassador=ambassador)
    assert (counted.views, counted.network, counted.day) == (2, "x", timezone.localdate())
    assert counted.site == a["site"]
    # the audience counts the three views, two of them as the ambassador's medium
    views = PageViewCount.objects.filter(site=a["site"], path="/actualites/gala-annuel/")
    assert sum(v.views for v in views) == 3
    assert sum(v.views for v in views.filter(medium="ambassador", network="x")) == 2

    # one of them follows the page's "Adhérer" link, which the script gave the visit's utm_*
    utm = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    query = urlencode({"item": "actualites/gala-annuel", **utm})
    data = form_data(client, "/adherer/", query)
    response = client.post("/adherer/", data, HTTP_HOST="a.example.org")
    assert response.status_code == 200, response.content[:500]
    signup = Signup.objects.get(site=a["site"])
    assert (signup.last_medium, signup.last_content) == ("ambassador", ambassador.reference)
    assert (signup.first_medium, signup.first_content) == ("ambassador", ambassador.reference)
    assert signup.last_network == "x" and signup.last_item == "actualites/gala-annuel"

    # the leaderboard of A shows what is stored
    admin = member_of(a["association"], "administrators", username="admin_a")
    client.force_login(admin)
    assert leaderboard(client, a["site"]) == {ambassador.reference: (2, 1)}
    # outside the period: nothing
    old = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    older = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    assert leaderboard(client, a["site"], start=old, end=older) == {ambassador.reference: (0, 0)}


def test_the_leaderboard_counts_equal_the_stored_data(world, client):
    a, first = world["a"], world["ambassador"]
    second = Ambassador.objects.create(site=a["site"], name="Paul Partage", email="p@example.org")
    quiet = Ambassador.objects.create(site=a["site"], name="Zoé Discrète", email="z@example.org")
    today = timezone.localdate()
    for ambassador, day, network, views in [
        (first, today, "x", 4),
        (first, today - dt.timedelta(days=2), "linkedin", 3),
        (first, today - dt.timedelta(days=45), "linkedin", 50),  # outside 30 days
        (second, today, "mastodon", 12),
    ]:
        AmbassadorVisits.objects.create(
            site=a["site"], ambassador=ambassador, day=day, network=network, views=views
        )
    for n, (ambassador, touch) in enumerate(
        [(first, "last"), (first, "first"), (second, "last"), (second, "last"), (second, "both")]
    ):
        fields = {}
        if touch in ("last", "both"):
            fields.update(last_medium="ambassador", last_content=ambassador.reference)
        if touch in ("first", "both"):
            fields.update(first_medium="ambassador", first_content=ambassador.reference)
        Signup.objects.create(
            page=a["signup"],
            name=f"P{n}",
            email=f"p{n}@example.org",
            consent_text="oui",
            consented_at=timezone.now(),
            **fields,
        )
    # a sign-up with the reference but another medium is not theirs
    Signup.objects.create(
        page=a["signup"],
        name="Q",
        email="q@example.org",
        consent_text="oui",
        consented_at=timezone.now(),
        last_medium="social",
        last_content=first.reference,
    )
    admin = member_of(a["association"], "administrators", username="admin_a")
    client.force_login(admin)
    board = leaderboard(client, a["site"])
    assert board == {second.reference: (12, 3), first.reference: (7, 2), quiet.reference: (0, 0)}
    assert list(board) == [second.reference, first.reference, quiet.reference]
    html = client.get("/admin/ambassadeurs/classement/", {"site": a["site"].pk}).content.decode()
    thanks = BeautifulSoup(html, "html.parser").select_one("#thanks").text
    assert "Paul Partage : 12 visites, 3 adhésions" in thanks
    assert "Inès Relais : 7 visites, 2 adhésions" in thanks
    assert "Zoé" not in thanks  # brought nothing


def test_a_sign_up_asking_to_be_an_ambassador_makes_one_and_sends_the_link(
    world, client, django_capture_on_commit_callbacks
):
    a = world["a"]
    mail.outbox.clear()
    data = form_data(
        client,
        "/adherer/",
        wishes=["ambassador", "news"],
        email="nouvelle@example.org",
        name="Nora Nouvelle",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/adherer/", data, HTTP_HOST="a.example.org")
    assert response.status_code == 200
    made = Ambassador.objects.get(email="nouvelle@example.org")
    assert made.site == a["site"] and made.active and made.weekly_email
    assert made.signup == Signup.objects.get(email="nouvelle@example.org")
    sent = [m for m in mail.outbox if m.to == ["nouvelle@example.org"] and made.token in m.body]
    assert len(sent) == 1
    assert f"https://cms.example.org/ambassadeurs/{made.token}/" in sent[0].body
    # a sign-up without the wish makes none
    data = form_data(client, "/adherer/", email="autre@example.org")
    client.post("/adherer/", data, HTTP_HOST="a.example.org")
    assert not Ambassador.objects.filter(email="autre@example.org").exists()
