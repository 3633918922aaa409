"""The daily mail: to each person, what waits for them in the desk of each association they
work on — the messages assigned to them and still open, and, for the association's moderators,
the new messages nobody took yet. Nothing waiting, no mail; one mail a day at most (the day is
kept on the person's :class:`~.models.DeskPreference`), none for who opted out.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from wagtail.models import Site

from . import conf
from .models import DeskPreference, IncomingMessage
from .people import display_name, moderators_of, people_of

logger = logging.getLogger(__name__)


@dataclass
class Waiting:
    """What waits for one person in one association's desk."""

    site: Site
    assigned: list[IncomingMessage] = field(default_factory=list)
    new: list[IncomingMessage] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.assigned or self.new)


def waiting_for(user: Any) -> list[Waiting]:
    """Per association of ``user``, the open messages assigned to them and (for moderators)
    the new ones."""
    out = []
    for site in Site.objects.order_by("pk"):
        if not people_of(site).filter(pk=user.pk).exists():
            continue
        messages = IncomingMessage.objects.filter(site=site).select_related("account")
        item = Waiting(site)
        item.assigned = list(
            messages.filter(assignee=user, state=IncomingMessage.State.ASSIGNED).order_by(
                "created_at", "pk"
            )
        )
        if moderators_of(site).filter(pk=user.pk).exists():
            item.new = list(
                messages.filter(state=IncomingMessage.State.NEW).order_by("created_at", "pk")
            )
        if not item.empty:
            out.append(item)
    return out


def compose_mail(user: Any, waiting: list[Waiting]) -> tuple[str, str]:
    """The subject and text of the mail to ``user``."""
    total = sum(len(w.assigned) + len(w.new) for w in waiting)
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    subject = ngettext(
        "Conversations : %(count)s message vous attend",
        "Conversations : %(count)s messages vous attendent",
        total,
    ) % {"count": total}
    body = render_to_string(
        "conversations/digest_email.txt",
        {
            "name": display_name(user),
            "waiting": waiting,
            "desk_url": base + reverse("conversations_desk"),
            "preferences_url": base + reverse("conversations_preferences"),
        },
    )
    return subject, body


def due(now: dt.datetime) -> bool:
    return timezone.localtime(now).hour >= conf.conversations()["digest_hour"]


def send_digests(now: dt.datetime | None = None, *, force: bool = False) -> int:
    """Send today's mails that were not sent yet; returns how many were sent."""
    now = now or timezone.now()
    if not force and not due(now):
        return 0
    today = timezone.localdate(now)
    user_ids: set[int] = set()
    for site in Site.objects.all():
        user_ids.update(people_of(site).values_list("pk", flat=True))
    sent = 0
    for user in get_user_model().objects.filter(pk__in=user_ids).order_by("pk"):
        preference = DeskPreference.for_user(user)
        if not preference.daily_email or preference.last_digest_on == today or not user.email:
            continue
        waiting = waiting_for(user)
        if not waiting:
            continue
        claimed = (
            DeskPreference.objects.filter(pk=preference.pk)
            .exclude(last_digest_on=today)
            .update(last_digest_on=today)
        )
        if not claimed:  # another run sent it meanwhile
            continue
        subject, body = compose_mail(user, waiting)
        send_mail(subject, body, None, [user.email])
        sent += 1
    logger.info("Conversations digest: %s mail(s) sent", sent)
    return sent
