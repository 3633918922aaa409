"""Each association's sign-ups: received on its own sign-up page, listed, filtered, exported
and erased within it only."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission

from cms.content.models import InfoPage
from cms.members.models import ErasureTally, Signup
from tests.federation.builders import member_of

INDEX = "/admin/adhesions/"
ERASE = "/admin/adhesions/effacement/"
SHARED = "meme.personne@example.org"


def signup(tree, name, email, **fields) -> Signup:
    return Signup.objects.create(
        page=tree["signup"],
        name=name,
        email=email,
        consent_text="oui",
        consented_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def people(two_sites):
    a, b = two_sites["a"], two_sites["b"]
    return {
        "a": [
            signup(a, "Alice Alpha", SHARED, class_year=1987, last_network="linkedin"),
            signup(a, "Arthur Alpha", "arthur@example.org"),
        ],
        "b": [
            signup(b, "Berthe Bravo", SHARED, class_year=2012, last_network="mastodon"),
            signup(b, "Bruno Bravo", "bruno@example.org"),
        ],
        "legacy_a": FormSubmission.objects.create(page=a["signup"], form_data={"email": SHARED}),
        "legacy_b": FormSubmission.objects.create(page=b["signup"], form_data={"email": SHARED}),
    }


def test_a_sign_up_belongs_to_the_site_of_its_page(two_sites, people):
    assert {s.site_id for s in people["a"]} == {two_sites["a"]["site"].pk}
    assert {s.site_id for s in people["b"]} == {two_sites["b"]["site"].pk}


def test_the_privacy_link_is_on_the_associations_own_site(two_sites, settings):
    settings.RELAIS_SITE_URL = "https://alumni.example.org"
    b = two_sites["b"]
    privacy = b["home"].add_child(instance=InfoPage(title="Données", slug="donnees"))
    privacy.save_revision().publish()
    page = b["signup"]
    page.privacy_page = privacy
    folder = b["association"].folder
    assert page.privacy_url() == f"https://alumni.example.org/{folder}/donnees/"


def test_the_listing_its_filters_and_export_are_the_associations(people, b_user, client):
    client.force_login(b_user)
    listing = client.get(INDEX).content.decode()
    assert "Berthe Bravo" in listing and "Bruno Bravo" in listing
    assert "Alpha" not in listing
    # the filters offer B's networks and class years only
    assert 'value="mastodon"' in listing and 'value="linkedin"' not in listing
    assert 'value="2012"' in listing and 'value="1987"' not in listing
    export = client.get(INDEX, {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export).decode("utf-8-sig"))))
    assert sorted(r[2] for r in rows[1:]) == ["Berthe Bravo", "Bruno Bravo"]
    theirs = people["a"][0].pk
    for url in (f"/admin/adhesions/inspect/{theirs}/", f"/admin/adhesions/edit/{theirs}/"):
        assert client.get(url).status_code == 404
    # another association's site cannot be chosen (Wagtail sends the refused to the dashboard)
    refused = client.get(INDEX, {"site": people["a"][0].site_id})
    assert refused.status_code in (302, 403) and "Alpha" not in refused.content.decode()


def test_an_erasure_deletes_the_associations_records_only(two_sites, people, b_user, client):
    client.force_login(b_user)
    found = client.post(ERASE, {"email": SHARED}).content.decode()
    assert "2 enregistrements seront supprimés" in found  # B's sign-up and B's old submission
    client.post(ERASE, {"email": SHARED, "confirm": "True"})
    assert not Signup.objects.filter(site=two_sites["b"]["site"], email=SHARED).exists()
    assert not FormSubmission.objects.filter(pk=people["legacy_b"].pk).exists()
    # A keeps what the person gave A: A erases it when asked
    assert Signup.objects.filter(pk=people["a"][0].pk).exists()
    assert FormSubmission.objects.filter(pk=people["legacy_a"].pk).exists()
    tally = ErasureTally.objects.get()
    assert (tally.site_id, tally.requests, tally.records) == (two_sites["b"]["site"].pk, 1, 2)


def test_a_moderator_of_b_without_the_permission_sees_no_sign_up(two_sites, people, client):
    moderator = member_of(two_sites["b"]["association"], "moderators", username="modo")
    client.force_login(moderator)
    assert client.get(INDEX).status_code in (302, 403)


def test_the_privacy_page_of_a_sign_up_page_is_on_its_own_site(two_sites):
    a, b = two_sites["a"], two_sites["b"]
    theirs = a["home"].add_child(instance=InfoPage(title="Données A", slug="donnees"))
    page = b["signup"]
    page.privacy_page = theirs
    with pytest.raises(ValidationError, match="Cette page est sur le site d'une autre association"):
        page.full_clean()
