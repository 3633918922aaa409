"""The whole loop against a real SMTP server on loopback: subscribe on the site's form, the
confirmation mail arrives (and nothing else before the click), confirm, the clock's digest
arrives with both parts, the unsubscribe headers and tracked links, one-click unsubscribe, and
the next digest is not sent to them."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from cms.federation.models import Association
from cms.newsletter import tasks
from cms.newsletter.models import Digest, DigestDelivery, NewsletterSettings, Subscriber

from .conftest import live_item

pytestmark = pytest.mark.django_db

READER = "lecteur@example.org"
OTHER = "autre@example.org"


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def path_of(url: str) -> str:
    assert url.startswith(settings.WAGTAILADMIN_BASE_URL), url
    return urlsplit(url).path


def weekly_now(site_id: int) -> NewsletterSettings:
    """A weekly letter whose slot is this very hour (the clock finds it due)."""
    now = timezone.localtime()
    config = NewsletterSettings.for_site(site_id)
    config.frequency = NewsletterSettings.Frequency.WEEKLY
    config.weekday, config.hour, config.per_second = now.weekday(), now.hour, 50
    config.save()
    return config


def subscribe(client: Client, slug: str, address: str, capture) -> None:
    with capture(execute=True):
        response = client.post(
            f"/n/{slug}/abonnement/", {"email": address, "name": "Lecteur"}, REMOTE_ADDR="10.0.0.9"
        )
    assert response.status_code == 200
    assert "Vérifiez votre boîte e-mail" in response.content.decode()


def confirm_from_mail(client: Client, smtp, address: str) -> None:
    (confirmation,) = smtp.to(address)
    body = confirmation.get_content()
    url = next(u for u in links_in(body) if "/n/confirmer/" in u)
    page = client.get(path_of(url))
    assert page.status_code == 200 and "Confirmer" in page.content.decode()
    assert Subscriber.objects.get(email=address).status == Subscriber.Status.PENDING
    assert client.post(path_of(url)).status_code == 200


def test_subscribe_confirm_digest_unsubscribe(
    site_a, smtp, client, django_capture_on_commit_callbacks
):
    site = site_a["site"]
    slug = Association.for_site(site).slug
    weekly_now(site.pk)
    live_item(site_a, "Nomination de Léa Martin", "nomination-lea-martin")

    subscribe(client, slug, READER, django_capture_on_commit_callbacks)
    subscribe(client, slug, OTHER, django_capture_on_commit_callbacks)
    assert sorted(smtp.recipients()) == [OTHER, READER]
    (confirmation,) = smtp.to(READER)
    assert "Confirmez votre abonnement" in confirmation["Subject"]
    assert "Amicale A" in confirmation["From"]

    # Double opt-in: a digest composed before any click goes to nobody
    early = tasks.compose_due()
    assert len(early) == 1
    tasks.send_digest.enqueue(early[0])
    assert len(smtp.messages) == 2  # the two confirmations only
    assert Digest.objects.get(pk=early[0]).status == Digest.Status.SENT
    assert not DigestDelivery.objects.exists()

    confirm_from_mail(client, smtp, READER)
    confirm_from_mail(client, smtp, OTHER)
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"confirmed"}

    # The next week's digest, by the clock's job
    live_item(site_a, "Gala des anciens", "gala-des-anciens")
    NewsletterSettings.objects.filter(site=site).update(last_run_at=None)
    result = tasks.newsletter_tick.enqueue().return_value
    assert len(result["composed"]) == 1
    digest = Digest.objects.get(pk=result["composed"][0])
    assert digest.status == Digest.Status.SENT

    (_confirmation, letter) = smtp.to(READER)
    assert letter["Subject"] == digest.subject
    assert letter.get_content_type() == "multipart/alternative"
    text = letter.get_body(preferencelist=("plain",)).get_content()
    html = letter.get_body(preferencelist=("html",)).get_content()
    assert "Gala des anciens" in text and "Gala des anciens" in html
    assert "Le chapeau de Gala des anciens." in html
    assert "Nomination de Léa Martin" not in text  # the first digest's period
    # The picture: the item's link-card picture on the static site
    picture = f"{Association.for_site(site).public_url}/actualites/gala-des-anciens/"
    assert f'<img src="{picture}social-1200x630.jpg" alt="Photo de Gala des anciens"' in html

    # Links to the site carry the newsletter's campaign
    item_links = [u for u in links_in(html) if "gala-des-anciens" in u]
    assert item_links
    query = parse_qs(urlsplit(item_links[0].replace("&amp;", "&")).query)
    assert query["utm_source"] == ["newsletter"]
    assert query["utm_medium"] == ["email"]
    assert query["utm_campaign"] == [f"digest-{timezone.localdate().isoformat()}"]
    assert item_links[0].startswith(Association.for_site(site).public_url)

    # RFC 2369 / RFC 8058 headers, the subscriber's own unsubscribe link in both parts
    reader = Subscriber.objects.get(email=READER)
    header = letter["List-Unsubscribe"]
    urls = re.findall(r"<([^>]+)>", header)
    assert urls[0].endswith(f"/n/desabonnement/{reader.unsubscribe_token}/")
    assert urls[1].startswith("mailto:")
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert urls[0] in text and urls[0] in html
    assert letter["Message-ID"] == DigestDelivery.objects.get(subscriber=reader).message_id

    # One click, as a mail program does it (RFC 8058): a POST with no cookie nor token
    one_click = Client(enforce_csrf_checks=True).post(
        path_of(urls[0]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED

    # The next digest goes to the other subscriber only
    live_item(site_a, "Portrait d'une ingénieure", "portrait-ingenieure")
    NewsletterSettings.objects.filter(site=site).update(last_run_at=None)
    tasks.newsletter_tick.enqueue()
    assert len(smtp.to(READER)) == 2
    assert len(smtp.to(OTHER)) == 3
    last = smtp.to(OTHER)[-1].get_body(preferencelist=("plain",)).get_content()
    assert "Portrait d'une ingénieure" in last and "Gala des anciens" not in last


def test_unsubscribe_link_opened_in_a_browser_asks_first(site_a, client):
    subscriber = Subscriber.objects.create(
        site=site_a["site"], email=READER, source="site", status="confirmed"
    )
    page = client.get(f"/n/desabonnement/{subscriber.unsubscribe_token}/")
    assert page.status_code == 200 and "Me désabonner" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED  # a GET changes nothing
    assert client.get("/n/desabonnement/pas-un-jeton/").status_code == 404
    assert client.post("/n/confirmer/pas-un-jeton/").status_code == 404
