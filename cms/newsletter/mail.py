"""The e-mails of the newsletter, built (not sent): the confirmation of a subscription and a
digest for one subscriber, with its HTML and plain-text parts and the ``List-Unsubscribe``
headers of RFC 2369 and RFC 8058 (one click: mail programs POST
``List-Unsubscribe=One-Click`` to the URL)."""

from __future__ import annotations

from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Site

from cms.core.models import AssociationSettings
from relais.french import interpolate

from .composing import UNSUBSCRIBE_PLACEHOLDER
from .models import Digest, Subscriber


def association_name(site_id: int) -> str:
    site = Site.objects.get(pk=site_id)
    return AssociationSettings.for_site(site).name or site.site_name or "Relais"


def sender(site_id: int) -> str:
    """The association's name before the installation's sending address."""
    address = settings.DEFAULT_FROM_EMAIL
    if "<" in address:
        address = address.split("<", 1)[1].rstrip(">").strip()
    return formataddr((association_name(site_id), address))


def message_id() -> str:
    domain = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "relais.invalid"
    return make_msgid("relais-digest", domain=domain)


def confirm_url(subscriber: Subscriber) -> str:
    path = reverse("newsletter:confirm", kwargs={"token": subscriber.confirm_token})
    return settings.WAGTAILADMIN_BASE_URL + path


def unsubscribe_url(subscriber: Subscriber) -> str:
    path = reverse("newsletter:unsubscribe", kwargs={"token": subscriber.unsubscribe_token})
    return settings.WAGTAILADMIN_BASE_URL + path


def unsubscribe_mailto(subscriber: Subscriber) -> str:
    address = AssociationSettings.for_site(subscriber.site).contact_email
    address = address or settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">").strip()
    return f"mailto:{address}?subject=unsubscribe-{subscriber.unsubscribe_token}"


def confirmation(subscriber: Subscriber) -> EmailMessage:
    name = association_name(subscriber.site_id)
    body = render_to_string(
        "newsletter/mail/confirm.txt",
        {"association": name, "confirm_url": confirm_url(subscriber)},
    )
    return EmailMessage(
        interpolate(
            _("Confirmez votre abonnement aux nouvelles de %(association)s"), {"association": name}
        ),
        body,
        sender(subscriber.site_id),
        [subscriber.email],
    )


def digest_for(
    digest: Digest,
    subscriber: Subscriber,
    msgid: str,
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    """``digest`` for ``subscriber``: their own unsubscribe link in both parts and headers."""
    url = unsubscribe_url(subscriber)
    message = EmailMultiAlternatives(
        digest.subject,
        digest.text.replace(UNSUBSCRIBE_PLACEHOLDER, url),
        sender(digest.site_id),
        [subscriber.email],
        connection=connection,
        headers={
            "Message-ID": msgid,
            "List-Unsubscribe": f"<{url}>, <{unsubscribe_mailto(subscriber)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
        },
    )
    message.attach_alternative(digest.html.replace(UNSUBSCRIBE_PLACEHOLDER, url), "text/html")
    return message


def test_digest(digest: Digest, address: str) -> EmailMultiAlternatives:
    """A copy of ``digest`` for an editor: the unsubscribe link is inert."""
    inert = settings.WAGTAILADMIN_BASE_URL + reverse("newsletter:unsubscribe", args=["essai"])
    message = EmailMultiAlternatives(
        interpolate(_("[Essai] %(subject)s"), {"subject": digest.subject}),
        digest.text.replace(UNSUBSCRIBE_PLACEHOLDER, inert),
        sender(digest.site_id),
        [address],
    )
    message.attach_alternative(digest.html.replace(UNSUBSCRIBE_PLACEHOLDER, inert), "text/html")
    return message
