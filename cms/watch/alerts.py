"""Alerts: what an association wants to be told of at once, and who is told.

- **Raising.** When the check cycle stores new entries for an association
  (:func:`.checking.store_entries`), each of its :class:`AlertRule` is tried on each of them
  (:func:`matches`): *page changed* — the entry is the change of that watched page, and, when
  the rule has a word, the change (the diff's text) contains it; *keyword* — the word is in
  the entry's title or summary, whatever its source (a shared one too). An entry that arrives
  *écartée* (an exclude word) raises nothing. A rule and an entry make one :class:`Alert` at
  most (a unique constraint: a cycle run twice, or two at once, add nothing).
- **Following.** A person follows a rule, or all of an association's alerts
  (:class:`AlertFollow`); they see the alerts they follow on their dashboard, the unread
  first (:func:`followed`), and mark them read (per person).
- **The daily mail** (:func:`send_alert_digests`), from ``RELAIS_WATCH["alert_digest_hour"]``:
  to each follower who did not opt out, the alerts of the last day they follow, grouped by
  association; nothing new, no mail; one a day at most — the day is claimed on their
  :class:`AlertPreference` by compare-and-set before the mail leaves, so that two workers
  never both send it. Each mail carries a signed one-click opt-out link
  (:func:`opt_out_token`, no account needed) and the ``List-Unsubscribe`` headers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from wagtail.models import Site

from cms.federation.scope import site_ids_for

from . import conf
from .models import Alert, AlertFollow, AlertPreference, AlertRule, WatchEntry
from .scoring import contains

logger = logging.getLogger(__name__)

#: Signs the opt-out links of the daily mail (with the installation's SECRET_KEY).
OPT_OUT_SALT = "relais.watch.alerts.opt-out"


# -- raising -----------------------------------------------------------------------------------


def matches(rule: AlertRule, entry: WatchEntry) -> bool:
    """Whether ``entry`` raises ``rule`` (see the module's docstring)."""
    if rule.kind == AlertRule.Kind.PAGE:
        if not entry.is_change or entry.source_id != rule.source_id:
            return False
        return not rule.word or contains(entry.summary, rule.word)
    return bool(rule.word) and contains(f"{entry.title}\n{entry.summary}", rule.word)


def raise_alerts(site_id: int, entries: Iterable[WatchEntry]) -> list[Alert]:
    """The alerts the new ``entries`` of one association raise; each made once."""
    rules = list(AlertRule.objects.filter(site_id=site_id).select_related("source"))
    if not rules:
        return []
    made = []
    for entry in entries:
        if entry.state == WatchEntry.State.SKIPPED:
            continue
        for rule in rules:
            if not matches(rule, entry):
                continue
            try:
                with transaction.atomic():
                    alert, new = Alert.objects.get_or_create(
                        rule=rule, entry=entry, defaults={"site_id": site_id}
                    )
            except IntegrityError:  # another cycle made it meanwhile
                continue
            if new:
                made.append(alert)
    return made


# -- following ---------------------------------------------------------------------------------


def followed(user: Any, sites: Iterable[int] | None = None) -> QuerySet[Alert]:
    """The alerts ``user`` follows, in the associations they work on (or those of ``sites``
    among them), with ``is_read`` for them."""
    allowed = set(site_ids_for(user))
    if sites is not None:
        allowed &= set(sites)
    follows = AlertFollow.objects.filter(user=user, site_id__in=allowed)
    whole = follows.filter(rule__isnull=True).values("site_id")
    rules = follows.filter(rule__isnull=False).values("rule_id")
    read = Alert.read_by.through.objects.filter(alert_id=OuterRef("pk"), user_id=user.pk)
    return (
        Alert.objects.filter(site_id__in=allowed)
        .filter(Q(site_id__in=whole) | Q(rule_id__in=rules))
        .select_related("rule", "rule__source", "entry", "entry__source", "site")
        .annotate(is_read=Exists(read))
    )


def follows_all(user: Any, site: Site | int) -> bool:
    site_id = site if isinstance(site, int) else site.pk
    return AlertFollow.objects.filter(user=user, site_id=site_id, rule__isnull=True).exists()


def follow(user: Any, site: Site | int, rule: AlertRule | None = None) -> None:
    site_id = site if isinstance(site, int) else site.pk
    try:
        with transaction.atomic():
            AlertFollow.objects.get_or_create(user=user, site_id=site_id, rule=rule)
    except IntegrityError:  # followed meanwhile
        pass


def unfollow(user: Any, site: Site | int, rule: AlertRule | None = None) -> None:
    site_id = site if isinstance(site, int) else site.pk
    AlertFollow.objects.filter(user=user, site_id=site_id, rule=rule).delete()


def mark_read(alerts: Iterable[Alert], user: Any) -> None:
    for alert in alerts:
        alert.read_by.add(user)


# -- the daily mail ----------------------------------------------------------------------------


def opt_out_token(user: Any) -> str:
    return signing.dumps(user.pk, salt=OPT_OUT_SALT)


def user_of_token(token: str) -> Any | None:
    """The person an opt-out token was made for; ``None`` for a wrong or altered one."""
    try:
        pk = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def opt_out_url(user: Any) -> str:
    path = reverse("watch_alerts_opt_out", args=[opt_out_token(user)])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def compose_mail(user: Any, alerts: list[Alert]) -> EmailMessage:
    """The daily mail of ``alerts`` to ``user``, with its opt-out link and headers."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    by_site = [
        (site, list(rows))
        for site, rows in groupby(
            sorted(alerts, key=lambda a: (a.site_id, -a.created_at.timestamp())),
            key=lambda a: a.site,
        )
    ]
    opt_out = opt_out_url(user)
    subject = ngettext("Veille : %(count)s alerte", "Veille : %(count)s alertes", len(alerts)) % {
        "count": len(alerts)
    }
    body = render_to_string(
        "watch/alerts_email.txt",
        {
            "name": user.get_full_name() or user.get_username(),
            "by_site": by_site,
            "alerts_url": base + reverse("watch_alerts"),
            "opt_out_url": opt_out,
        },
    )
    return EmailMessage(
        subject,
        body,
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{opt_out}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def due(now: dt.datetime) -> bool:
    return timezone.localtime(now).hour >= conf.alert_digest_hour()


def send_alert_digests(now: dt.datetime | None = None, *, force: bool = False) -> int:
    """Send today's alert mails not sent yet (see the module's docstring); how many left."""
    now = now or timezone.now()
    if not force and not due(now):
        return 0
    today = timezone.localdate(now)
    since = now - dt.timedelta(days=1)
    followers = (
        get_user_model()
        .objects.filter(is_active=True, watch_follows__isnull=False)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for user in followers:
        preference = AlertPreference.for_user(user)
        if not preference.daily_email or preference.last_digest_on == today:
            continue
        alerts = list(followed(user).filter(created_at__gt=since, created_at__lte=now))
        if not alerts:
            continue
        claimed = (
            AlertPreference.objects.filter(pk=preference.pk, daily_email=True)
            .exclude(last_digest_on=today)
            .update(last_digest_on=today)
        )
        if not claimed:  # another run sent it meanwhile, or they opted out
            continue
        compose_mail(user, alerts).send()
        sent += 1
    logger.info("Watch alerts: %s daily mail(s) sent", sent)
    return sent
