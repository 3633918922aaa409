"""Account status changes, and telling the account's owner when a person must act."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import SocialAccount

logger = logging.getLogger(__name__)


def reconnect_message(account: SocialAccount) -> str:
    return _(
        "Le jeton %(label)s a expiré ou a été révoqué : reconnectez le compte dans Paramètres → "
        "Réseaux."
    ) % {"label": account.network_label}


def recipients(account: SocialAccount) -> list[str]:
    """The owner's address; the administrators' when the account has no owner with one."""
    if account.owner is not None and account.owner.email:
        return [account.owner.email]
    admins = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
    return sorted({u.email for u in admins})


def mark_reconnect_needed(account: SocialAccount, message: str | None = None) -> bool:
    """Mark the account "reconnect needed" and e-mail its owner, once per occurrence.
    Returns whether the account was not marked yet."""
    message = message or reconnect_message(account)
    changed = (
        SocialAccount.objects.filter(pk=account.pk)
        .exclude(status=SocialAccount.Status.RECONNECT)
        .update(status=SocialAccount.Status.RECONNECT, status_message=message)
    )
    account.status, account.status_message = SocialAccount.Status.RECONNECT, message
    if changed:
        logger.warning("Social account %s (%s) needs reconnecting", account.pk, account.network)
        send_reconnect_mail(account, message)
    return bool(changed)


def send_reconnect_mail(account: SocialAccount, message: str) -> None:
    to = recipients(account)
    if not to:
        logger.warning("Nobody to tell that social account %s needs reconnecting", account.pk)
        return
    url = settings.WAGTAILADMIN_BASE_URL + reverse("social_accounts")
    subject = _("Relais : reconnectez le compte %(account)s") % {"account": account}
    body = _(
        "Bonjour,\n\n"
        "Relais ne peut plus publier sur le compte %(account)s (site %(site)s).\n"
        "%(message)s\n\n"
        "Que faire : ouvrez %(url)s puis cliquez sur « Reconnecter » à côté du compte.\n"
        "Les publications en attente partiront dès que le compte sera reconnecté : aucune n'est "
        "perdue.\n\n"
        "— Relais"
    ) % {"account": account, "site": account.site, "message": message, "url": url}
    send_mail(subject, body, None, to, fail_silently=True)


def mark_connected(account: SocialAccount) -> None:
    account.status, account.status_message = SocialAccount.Status.OK, ""
    account.refresh_status()
