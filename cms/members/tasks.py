"""E-mails of a sign-up, sent by the worker (queue ``maintenance``), never inside the request.

The tasks take the sign-up's id, not its content: a sign-up erased before the worker gets to it
is not mailed, and no personal data waits in the queue.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from cms.audience.sources import network_label
from cms.core.i18n import labelled
from cms.core.models import AssociationSettings
from relais.french import interpolate

from .erasure import purge_expired
from .models import Signup, SignUpPage

logger = logging.getLogger(__name__)


def _association(signup: Signup):
    site = signup.page.get_site() if signup.page_id else None
    return AssociationSettings.for_site(site) if site else None


def _sender(signup: Signup) -> str:
    return (signup.page.from_address if signup.page_id else "") or settings.DEFAULT_FROM_EMAIL


@task(backend="relais", queue_name="maintenance")
def send_signup_acknowledgement(signup_id: int) -> bool:
    """Tell the person their request arrived, what they asked for, and how to have their data
    deleted."""
    signup = Signup.objects.select_related("page").filter(pk=signup_id).first()
    if signup is None:
        return False  # erased meanwhile
    association = _association(signup)
    name = association.name if association else "Relais"
    contact = association.contact_email if association else ""
    lines = [
        _("Bonjour %(name)s,") % {"name": signup.name},
        "",
        interpolate(
            _(
                "Nous avons bien reçu votre demande auprès de %(association)s. Vous avez demandé "
                "à : %(wishes)s."
            ),
            {"association": name, "wishes": ", ".join(signup.wishes())},
        ),
        _("Le secrétariat vous écrira très prochainement."),
        "",
        _(
            "Vos informations servent uniquement à traiter cette demande. Pour les consulter ou "
            "les faire supprimer, répondez à ce message%(contact)s."
        )
        % {"contact": _(" ou écrivez à %(address)s") % {"address": contact} if contact else ""},
        "",
        name,
    ]
    send_mail(
        interpolate(_("Votre demande auprès de %(association)s"), {"association": name}),
        "\n".join(lines),
        _sender(signup),
        [signup.email],
    )
    return True


@task(backend="relais", queue_name="maintenance")
def notify_association(signup_id: int) -> bool:
    """Tell the association (the page's recipients, else its contact address) about a new
    sign-up, with its attribution and a link to it in the admin."""
    signup = Signup.objects.select_related("page").filter(pk=signup_id).first()
    if signup is None:
        return False
    association = _association(signup)
    recipients = [
        a.strip()
        for a in (signup.page.to_address if signup.page_id else "").split(",")
        if a.strip()
    ]
    if not recipients and association and association.contact_email:
        recipients = [association.contact_email]
    if not recipients:
        logger.warning(
            "Sign-up %s: no address to notify (set the recipients of the sign-up "
            "page or the association's contact e-mail).",
            signup_id,
        )
        return False
    origin = network_label(signup.last_network) or signup.last_referrer or _("accès direct")
    lines = [
        f"{signup.name} <{signup.email}>",
        _("École : %(school)s — promotion : %(year)s")
        % {"school": signup.school or "-", "year": signup.class_year or "-"},
        _("Souhaite : %(wishes)s") % {"wishes": ", ".join(signup.wishes())},
        *(labelled(q, a) for q, a in signup.answers.items()),
        "",
        _("Arrivée par : %(origin)s%(item)s")
        % {"origin": origin, "item": f" ({signup.last_item})" if signup.last_item else ""},
        _("Premier contact : %(origin)s%(item)s")
        % {
            "origin": network_label(signup.first_network)
            or signup.first_referrer
            or _("accès direct"),
            "item": f" ({signup.first_item})" if signup.first_item else "",
        },
        "",
        settings.WAGTAILADMIN_BASE_URL + reverse("members_signup:edit", args=[signup.pk]),
    ]
    subject = (signup.page.subject if signup.page_id else "") or _("Nouvelle demande d'adhésion")
    send_mail(subject, "\n".join(lines), _sender(signup), recipients)
    return True


@task(backend="relais", queue_name="maintenance")
def send_signup_notification(page_id: int, body: str) -> None:
    """Kept for notifications queued before sign-ups were stored as :class:`Signup` rows."""
    page = SignUpPage.objects.get(pk=page_id)
    addresses = [a.strip() for a in page.to_address.split(",") if a.strip()]
    if addresses:
        send_mail(page.subject or "Nouvelle adhésion", body, page.from_address, addresses)


@task(backend="relais", queue_name="maintenance")
def purge_expired_signups() -> int:
    """The nightly deletion of sign-ups past their retention period."""
    return purge_expired()


def queue_signup_emails(sender: object, signup_id: int, **kwargs: object) -> None:
    """Queue the acknowledgement to the person and the notification to the association (the
    receiver of :data:`cms.members.signals.signup_received`)."""
    send_signup_acknowledgement.enqueue(signup_id)
    notify_association.enqueue(signup_id)
