"""The newsletter in the admin, per association: B's administrator sees and changes nothing of
A's (subscribers, digests, preview, test, send, compose, settings); an address added by hand
gets the confirmation mail; a bounced address is marked from the admin or the command; the
settings put the subscribe form's address in the site's ``site.yaml``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cms.core.models import AssociationSettings
from cms.newsletter import composing
from cms.newsletter.models import Digest, DigestDelivery, NewsletterSettings, Subscriber
from cms.publishing.models import ExportRecord
from tests.federation.builders import association_site, member_of

from .conftest import live_item

pytestmark = pytest.mark.django_db

MARKER = "Zorglub"


@pytest.fixture
def two(site_a):
    site_b = association_site("Amicale B", "b.example.org")
    a_admin = member_of(site_a["association"], "administrators", username="admin_a")
    b_admin = member_of(site_b["association"], "administrators", username="admin_b")
    live_item(site_a, f"Article {MARKER}", "article-zorglub")
    now = timezone.now()
    digest = composing.compose(site_a["site"], now - dt.timedelta(days=7), now)
    subscriber = Subscriber.objects.create(
        site=site_a["site"],
        email=f"{MARKER.lower()}@example.org",
        name=f"Lecteur {MARKER}",
        source="site",
        status="confirmed",
    )
    return {
        "a": site_a,
        "b": site_b,
        "a_admin": a_admin,
        "b_admin": b_admin,
        "digest": digest,
        "subscriber": subscriber,
    }


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_association_sees_its_own_letter(two):
    b = logged_in(two["b_admin"])
    digest, subscriber = two["digest"], two["subscriber"]
    for url in ("/admin/lettre/abonnes/", "/admin/lettre/lettres/"):
        response = b.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode(), url
    for url in (
        f"/admin/lettre/abonnes/edit/{subscriber.pk}/",
        f"/admin/lettre/lettres/inspect/{digest.pk}/",
        f"/admin/lettre/lettres/edit/{digest.pk}/",
        f"/admin/lettre/lettres/{digest.pk}/apercu/",
    ):
        assert b.get(url).status_code == 404, url
    for url in (
        f"/admin/lettre/lettres/{digest.pk}/essai/",
        f"/admin/lettre/lettres/{digest.pk}/envoyer/",
    ):
        assert b.post(url).status_code == 404, url
    assert (
        b.post(
            f"/admin/lettre/abonnes/edit/{subscriber.pk}/",
            {"email": "x@example.org", "name": "", "status": "bounced"},
        ).status_code
        == 404
    )
    site_a = two["a"]["site"].pk
    # Refused (Wagtail sends a refused user back to the dashboard), nothing shown or changed
    refused = b.get(f"/admin/lettre/lettres/reglages/?site={site_a}")
    assert refused.status_code in (302, 403) and MARKER not in refused.content.decode()
    b.post(
        f"/admin/lettre/lettres/reglages/?site={site_a}",
        {"frequency": "weekly", "weekday": 0, "day_of_month": 1, "hour": 8, "per_second": 5},
    )
    assert not NewsletterSettings.objects.filter(site_id=site_a, frequency="weekly").exists()
    record = ExportRecord.objects.get(site_id=site_a)
    b.post(f"/admin/lettre/lettres/composer/?site={site_a}", {"items": [record.pk]})
    assert Digest.objects.count() == 1
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert not DigestDelivery.objects.exists()
    # A's administrator sees them
    a = logged_in(two["a_admin"])
    assert MARKER in a.get("/admin/lettre/abonnes/").content.decode()
    page = a.get(f"/admin/lettre/lettres/inspect/{digest.pk}/").content.decode()
    assert "Envoyer maintenant" in page and "apercu" in page
    preview = a.get(f"/admin/lettre/lettres/{digest.pk}/apercu/")
    assert MARKER in preview.content.decode()
    assert composing.UNSUBSCRIBE_PLACEHOLDER not in preview.content.decode()


def test_test_send_and_send_now(two, django_capture_on_commit_callbacks):
    a = logged_in(two["a_admin"])
    digest = two["digest"]
    a.post(f"/admin/lettre/lettres/{digest.pk}/essai/")
    (essai,) = mail.outbox
    assert essai.to == ["admin_a@example.org"] and essai.subject.startswith("[Essai]")
    assert not DigestDelivery.objects.exists()
    a.post(f"/admin/lettre/lettres/{digest.pk}/envoyer/")
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT
    assert [m.to for m in mail.outbox[1:]] == [[two["subscriber"].email]]
    a.post(f"/admin/lettre/lettres/{digest.pk}/envoyer/")  # twice: nothing more
    assert len(mail.outbox) == 2


def test_compose_an_urgent_digest_of_one_item(two):
    a = logged_in(two["a_admin"])
    site = two["a"]["site"]
    live_item(two["a"], "Alerte crue", "alerte-crue")
    form = a.get(f"/admin/lettre/lettres/composer/?site={site.pk}")
    assert "Alerte crue" in form.content.decode()
    record = ExportRecord.objects.get(title="Alerte crue")
    response = a.post(f"/admin/lettre/lettres/composer/?site={site.pk}", {"items": [record.pk]})
    digest = Digest.objects.get(kind=Digest.Kind.URGENT)
    assert response.status_code == 302
    assert "Alerte crue" in digest.subject and "Alerte crue" in digest.text
    assert MARKER not in digest.text


def test_settings_put_the_form_on_the_site(two):
    a = logged_in(two["a_admin"])
    site = two["a"]["site"]
    assert AssociationSettings.for_site(site).to_site_config().newsletter_url == ""
    response = a.post(
        f"/admin/lettre/lettres/reglages/?site={site.pk}",
        {"frequency": "monthly", "weekday": 0, "day_of_month": 3, "hour": 8, "per_second": 5},
    )
    assert response.status_code == 302
    config = NewsletterSettings.objects.get(site=site)
    assert (config.frequency, config.day_of_month, config.hour) == ("monthly", 3, 8)
    url = AssociationSettings.for_site(site).to_site_config().newsletter_url
    assert url.endswith(f"/n/{two['a']['association'].slug}/abonnement/")
    bad = a.post(
        f"/admin/lettre/lettres/reglages/?site={site.pk}",
        {"frequency": "monthly", "weekday": 0, "day_of_month": 31, "hour": 8, "per_second": 5},
    )
    assert "Choisissez un jour de 1 à 28" in bad.content.decode()


def test_an_address_added_by_hand_is_asked_to_confirm(two, django_capture_on_commit_callbacks):
    a = logged_in(two["a_admin"])
    site = two["a"]["site"]
    with django_capture_on_commit_callbacks(execute=True):
        response = a.post(
            f"/admin/lettre/abonnes/new/?site={site.pk}", {"email": "new@example.org", "name": "N"}
        )
    assert response.status_code == 302
    added = Subscriber.objects.get(email="new@example.org")
    assert (added.site, added.source, added.status) == (site, "admin", "pending")
    (confirmation,) = mail.outbox
    assert added.confirm_token in confirmation.body
    twice = a.post(
        f"/admin/lettre/abonnes/new/?site={site.pk}", {"email": "NEW@example.org", "name": ""}
    )
    assert "déjà dans la liste" in twice.content.decode()
    # Marked bounced from the admin
    a.post(
        f"/admin/lettre/abonnes/edit/{added.pk}/",
        {"email": "new@example.org", "name": "N", "status": "bounced"},
    )
    added.refresh_from_db()
    assert added.status == Subscriber.Status.BOUNCED


def test_bounced_command(two, capsys):
    subscriber = two["subscriber"]
    Subscriber.objects.create(
        site=two["b"]["site"], email=subscriber.email, source="site", status="confirmed"
    )
    call_command("newsletter_bounced", subscriber.email.upper(), "--site", str(two["a"]["site"].pk))
    assert "1 subscriber(s) marked bounced." in capsys.readouterr().out
    statuses = dict(Subscriber.objects.values_list("site_id", "status"))
    assert statuses == {two["a"]["site"].pk: "bounced", two["b"]["site"].pk: "confirmed"}
