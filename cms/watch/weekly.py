"""The weekly press review on a schedule: composed by the worker's clock, once a week.

An association chooses a weekday and an hour (:class:`~.models.ReviewSchedule`, off by
default). From that time of each week (local time) the clock's job (:func:`compose_due`, see
:mod:`.apps`) composes the draft "Revue de presse" from the entries kept for it since the last
review (:func:`.review.compose`), then tells the editors: a mail to each person who follows the
association's watch (:class:`~.models.AlertFollow`, unless they turned the watch's mails off,
with the same one-click opt-out as the alerts' daily mail) and the dashboard's panel
(:func:`ready_reviews`).

**Once a week.** A week's composition is a :class:`~.models.ReviewRun` row, unique per
association and week (its Monday). It is inserted first, in the same transaction as the
composition: a second clock, or the same one after a restart, fails on the unique row and
composes nothing; a composition that fails rolls the row back and is tried again at the next
look. A week whose time came with no entry kept records the row with no review: nothing is
composed, nobody is told, and entries kept later go to next week's review. The mail is claimed
(``notified_at``, compare-and-set) before it leaves: at most once. A schedule set in the
middle of a week whose time has passed composes at the clock's next look.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from cms.federation.scope import site_ids_for

from .alerts import opt_out_url
from .drafts import DraftError
from .models import AlertFollow, AlertPreference, ReviewRun, ReviewSchedule
from .review import compose, pending

logger = logging.getLogger(__name__)

#: The dashboard shows the scheduled reviews still in draft composed in the last so many days.
READY_DAYS = 14


def week_of(now: dt.datetime) -> dt.date:
    """The Monday of ``now``'s week (local time)."""
    day = timezone.localdate(now)
    return day - dt.timedelta(days=day.weekday())


def slot_of(schedule: ReviewSchedule, now: dt.datetime) -> dt.datetime | None:
    """This week's time of the review (``None``: the schedule is off)."""
    if schedule.weekday is None:
        return None
    day = week_of(now) + dt.timedelta(days=schedule.weekday)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(schedule.hour)))


def is_due(schedule: ReviewSchedule, now: dt.datetime) -> bool:
    slot = slot_of(schedule, now)
    return slot is not None and now >= slot


def compose_week(site: Site, now: dt.datetime) -> ReviewRun | None:
    """Compose ``site``'s review of ``now``'s week; ``None`` when that week's was done."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ReviewRun.objects.create(site=site, week=week_of(now), ran_at=now)
        except IntegrityError:  # another clock, or this one before a restart
            return None
        entries = list(pending(site))
        if entries:
            run.review = compose(site, entries)
            run.entries = len(entries)
            run.save(update_fields=["review", "entries"])
    return run


def followers(site: Site) -> QuerySet:
    """Who follows ``site``'s watch and still works on it, with an address, mails wanted."""
    opted_out = AlertPreference.objects.filter(daily_email=False).values("user_id")
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=AlertFollow.objects.filter(site=site).values("user_id"),
        )
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .order_by("pk")
    )
    return users


def review_mail(user: Any, run: ReviewRun) -> EmailMessage:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    opt_out = opt_out_url(user)
    association = run.site.site_name or run.site.hostname
    subject = _("Veille : la revue de presse de la semaine est prête — %(association)s") % {
        "association": association
    }
    body = render_to_string(
        "watch/review_email.txt",
        {
            "name": user.get_full_name() or user.get_username(),
            "association": association,
            "run": run,
            "title": run.review.title if run.review else "",
            "edit_url": base + reverse("wagtailadmin_pages:edit", args=[run.review_id]),
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


def notify(run: ReviewRun, now: dt.datetime) -> int:
    """Tell the followers of the watch that ``run``'s review is ready (once); how many mails."""
    claimed = ReviewRun.objects.filter(pk=run.pk, notified_at=None).update(notified_at=now)
    if not claimed or run.review_id is None:
        return 0
    sent = 0
    for user in followers(run.site):
        if run.site_id not in site_ids_for(user):
            continue
        review_mail(user, run).send()
        sent += 1
    return sent


def compose_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Compose the reviews whose time has come this week and tell the editors (see the
    module's docstring); what was done, in numbers."""
    now = now or timezone.now()
    done = {"composed": 0, "empty": 0, "mails": 0}
    schedules = ReviewSchedule.objects.filter(weekday__isnull=False).select_related("site")
    for schedule in schedules.order_by("site_id"):
        if not is_due(schedule, now):
            continue
        try:
            run = compose_week(schedule.site, now)
        except DraftError as exc:  # no news section: said on the source of the problem
            logger.warning("Press review of site %s not composed: %s", schedule.site_id, exc)
            continue
        if run is not None:
            done["composed" if run.review_id else "empty"] += 1
    # the mails of the reviews composed (now, or before a worker stopped) not told yet
    waiting = ReviewRun.objects.filter(
        notified_at=None, review__isnull=False, ran_at__gte=now - dt.timedelta(days=7)
    ).select_related("site", "review")
    for run in waiting:
        done["mails"] += notify(run, now)
    return done


def ready_reviews(user: Any, now: dt.datetime | None = None) -> QuerySet[ReviewRun]:
    """The scheduled reviews of ``user``'s associations still in draft (for the dashboard)."""
    since = (now or timezone.now()) - dt.timedelta(days=READY_DAYS)
    return (
        ReviewRun.objects.filter(
            site_id__in=site_ids_for(user),
            review__isnull=False,
            review__live=False,
            ran_at__gte=since,
        )
        .select_related("site", "review")
        .order_by("-ran_at")
    )
