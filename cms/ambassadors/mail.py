"""The weekly e-mail to the ambassadors who asked for it: what to share this week (the items
that went live in the last seven days, or the latest ones), the link to their page, and a
one-click unsubscribe (a link, and the ``List-Unsubscribe`` headers of RFC 8058)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.federation.models import Association

from .models import Ambassador
from .sharing import latest_items, share_url

WEEK = dt.timedelta(days=7)


def cms_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def due(now: dt.datetime):
    """The ambassadors whose weekly mail is due: active, opted in, none sent for a week."""
    return Ambassador.objects.filter(active=True, weekly_email=True).filter(
        Q(last_weekly_at=None) | Q(last_weekly_at__lte=now - WEEK + dt.timedelta(minutes=5))
    )


def weekly_message(ambassador: Ambassador, now: dt.datetime) -> EmailMessage:
    association = Association.for_site(ambassador.site_id)
    page = cms_url(reverse("ambassadors:page", args=[ambassador.token]))
    unsubscribe = cms_url(reverse("ambassadors:unsubscribe", args=[ambassador.token]))
    items = latest_items(ambassador.site, limit=5, since=now - WEEK) or latest_items(
        ambassador.site, limit=3
    )
    lines = [
        _("Bonjour %(name)s,") % {"name": ambassador.name},
        "",
        _("Voici ce que %(association)s vous propose de partager cette semaine :")
        % {"association": association},
        "",
    ]
    for item, _live in items:
        lines += [f"- {item.title}", f"  {share_url(item.url, 'email', ambassador.reference)}"]
    if not items:
        lines.append(_("Rien de neuf cette semaine."))
    lines += [
        "",
        _("Vos textes prêts à partager, réseau par réseau, sont sur votre page : %(url)s")
        % {"url": page},
        "",
        _("Ne plus recevoir cet e-mail : %(url)s") % {"url": unsubscribe},
    ]
    return EmailMessage(
        subject=_("À partager cette semaine — %(association)s") % {"association": association},
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[ambassador.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_weekly(now: dt.datetime | None = None) -> int:
    """Send every mail that is due; each one's sending is recorded first, so a mail is never
    sent twice in a week. Returns the number sent."""
    now = now or timezone.now()
    sent = 0
    for ambassador in due(now):
        taken = (
            Ambassador.objects.filter(pk=ambassador.pk)
            .filter(Q(last_weekly_at=None) | Q(last_weekly_at=ambassador.last_weekly_at))
            .update(last_weekly_at=now)
        )
        if taken:
            weekly_message(ambassador, now).send()
            sent += 1
    return sent


def send_page_link(ambassador_id: int) -> bool:
    ambassador = Ambassador.objects.filter(pk=ambassador_id, active=True).first()
    if ambassador is None:
        return False
    association = Association.for_site(ambassador.site_id)
    page = cms_url(reverse("ambassadors:page", args=[ambassador.token]))
    body = "\n".join(
        [
            _("Bonjour %(name)s,") % {"name": ambassador.name},
            "",
            _(
                "Merci de relayer les nouvelles de %(association)s ! Votre page personnelle "
                "propose chaque nouvelle avec des textes prêts à partager, réseau par réseau :"
            )
            % {"association": association},
            page,
            "",
            _("Cette adresse est personnelle : gardez-la pour vous, elle vous sert de clé."),
        ]
    )
    EmailMessage(
        subject=_("Votre page d'ambassadeur·rice — %(association)s") % {"association": association},
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[ambassador.email],
    ).send()
    return True
