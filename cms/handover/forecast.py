"""When each network account goes dark: its token's expiry (``SocialAccount.token_expires_at``,
stored at connection), the days left, and who is reminded — its owner and its backup — at
:data:`REMIND_DAYS` days before, once each (:func:`send_reminders`)."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from cms.social.models import SocialAccount
from cms.social.notify import recipients as fallback_recipients

from .models import AccountCover

logger = logging.getLogger(__name__)

#: Days before the expiry at which the owner and the backup are reminded, largest first.
REMIND_DAYS = (14, 3)


@dataclass(frozen=True)
class Forecast:
    account: SocialAccount
    owner: Any
    backup: Any
    expires_at: dt.datetime | None
    days_left: int | None  # None: no known expiry

    @property
    def dark(self) -> bool:
        return self.days_left is not None and self.days_left <= 0

    @property
    def soon(self) -> bool:
        return self.days_left is not None and self.days_left <= REMIND_DAYS[0]


def days_left(expires_at: dt.datetime | None, now: dt.datetime) -> int | None:
    if expires_at is None:
        return None
    return math.ceil((expires_at - now).total_seconds() / 86400)


def forecast(site: Site, now: dt.datetime | None = None) -> list[Forecast]:
    """Every account of ``site``, the soonest to go dark first (no expiry last)."""
    now = now or timezone.now()
    accounts = SocialAccount.objects.filter(site=site).select_related("owner", "cover__backup")
    rows = []
    for account in accounts:
        cover = getattr(account, "cover", None)
        rows.append(
            Forecast(
                account,
                account.owner,
                cover.backup if cover else None,
                account.token_expires_at,
                days_left(account.token_expires_at, now),
            )
        )
    return sorted(rows, key=lambda r: (r.days_left is None, r.days_left or 0, r.account.pk))


def threshold_for(left: int) -> int | None:
    """The smallest reminder threshold ``left`` days are within, ``None`` if none."""
    within = [d for d in REMIND_DAYS if left <= d]
    return min(within) if within else None


def people_to_remind(account: SocialAccount, cover: AccountCover) -> list[str]:
    """The owner's and the backup's addresses; the administrators' when neither has one."""
    found = [
        p.email for p in (account.owner, cover.backup) if p is not None and p.email and p.is_active
    ]
    return sorted(set(found)) or fallback_recipients(account)


def reminder_mail(account: SocialAccount, left: int) -> tuple[str, str]:
    when = formats.date_format(timezone.localtime(account.token_expires_at), "DATE_FORMAT")
    url = settings.WAGTAILADMIN_BASE_URL + reverse("social_accounts")
    subject = ngettext(
        "Relais : le compte %(account)s s'arrête dans %(n)d jour",
        "Relais : le compte %(account)s s'arrête dans %(n)d jours",
        left,
    ) % {"account": account, "n": left}
    body = _(
        "Bonjour,\n\n"
        "Le jeton du compte %(account)s (site %(site)s) expire le %(when)s : ensuite, plus rien "
        "n'y sera publié.\n\n"
        "Que faire : ouvrez %(url)s et cliquez sur « Reconnecter » à côté du compte. Vous "
        "recevez ce message comme responsable ou suppléant·e du compte ; si vous êtes absent·e, "
        "l'autre personne peut le faire.\n\n"
        "— Relais"
    ) % {"account": account, "site": account.site, "when": when, "url": url}
    return subject, body


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind the owner and backup of each active account whose token expires within a
    threshold not reminded yet for that expiry. Returns the number of reminders sent."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=REMIND_DAYS[0])
    sent = 0
    accounts = SocialAccount.objects.filter(
        active=True, token_expires_at__isnull=False, token_expires_at__lte=horizon
    ).select_related("owner", "site")
    for account in accounts:
        left = max(days_left(account.token_expires_at, now) or 0, 0)
        threshold = threshold_for(left)
        cover, _created = AccountCover.objects.get_or_create(account=account)
        same_expiry = cover.reminded_for == account.token_expires_at
        if threshold is None or (
            same_expiry and cover.reminded_days is not None and cover.reminded_days <= threshold
        ):
            continue
        taken = AccountCover.objects.filter(
            pk=cover.pk, reminded_for=cover.reminded_for, reminded_days=cover.reminded_days
        ).update(reminded_for=account.token_expires_at, reminded_days=threshold)
        if not taken:  # another worker sent it
            continue
        to = people_to_remind(account, cover)
        if not to:
            logger.warning("Nobody to remind that social account %s expires", account.pk)
            continue
        subject, body = reminder_mail(account, left)
        send_mail(subject, body, None, to, fail_silently=True)
        sent += 1
    return sent
