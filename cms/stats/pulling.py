"""Reading the networks' metrics of the posts in the ledger, into the time series.

:func:`pull` (run by the worker's clock through :func:`cms.stats.tasks.pull_metrics_task`):

1. every sent post of the ledger gets a :class:`~cms.stats.models.TrackedPost` (its first
   reading half an hour after it went out);
2. the posts whose reading is due are read, account by account, with the network client's
   ``metrics()`` — one call for many posts where the API allows it;
3. each metric becomes a :class:`~cms.stats.models.MetricSample` when it changed: a number, or
   unavailable with the network's reason (never a zero);
4. the next reading is planned by the post's age (:func:`cms.stats.conf.next_pull_at`).

It behaves like the delivery of posts: an account that must be reconnected is skipped without
calling the network (its posts wait, and are read once it is reconnected); a token found dead
marks the account "reconnect needed" and its owner is told (:mod:`cms.social.notify`); a rate
limit or an unreachable network defers that account's posts with the delivery policy's backoff
(the network's own ``Retry-After`` wins). One account's trouble never stops the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.social.crypto import CredentialsUnreadable
from cms.social.models import Delivery, SocialAccount
from cms.social.notify import mark_reconnect_needed
from syndication.errors import PermanentError, ReconnectNeeded, TransientError
from syndication.ledger import State
from syndication.metrics import REFUSED, PostMetrics, Unavailable, all_unavailable
from syndication.policy import RetryPolicy

from . import conf
from .models import MetricSample, TrackedPost

logger = logging.getLogger(__name__)


@dataclass
class PullReport:
    """What one run did: posts read, samples written, and per account what happened."""

    read: int = 0
    samples: int = 0
    accounts: dict[int, str] = field(default_factory=dict)

    def __str__(self) -> str:
        states = ", ".join(f"{k}: {v}" for k, v in sorted(self.accounts.items()))
        return f"{self.read} post(s) read, {self.samples} sample(s) written ({states})"


def track_new_posts(now: dt.datetime | None = None) -> int:
    """A :class:`TrackedPost` for every sent post of the ledger that has none yet."""
    now = now or timezone.now()
    first = dt.timedelta(seconds=conf.stats()["first_pull_after"])
    new = []
    for delivery in Delivery.objects.filter(state=State.SENT, tracking__isnull=True).exclude(
        remote_id=""
    ):
        posted_at = delivery.attempted_at or delivery.updated_at or delivery.created_at
        new.append(
            TrackedPost(
                delivery=delivery, posted_at=posted_at, next_pull_at=max(posted_at + first, now)
            )
        )
    TrackedPost.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def due(now: dt.datetime) -> QuerySet[TrackedPost]:
    return TrackedPost.objects.filter(next_pull_at__lte=now)


def pull(now: dt.datetime | None = None, posts: Iterable[TrackedPost] | None = None) -> PullReport:
    """Read the metrics of ``posts`` (by default: every post whose reading is due)."""
    now = now or timezone.now()
    if posts is None:
        track_new_posts(now)
        posts = due(now).order_by("next_pull_at")
    by_account: dict[int, list[TrackedPost]] = defaultdict(list)
    accounts: dict[int, SocialAccount] = {}
    for tracked in _with_accounts(posts):
        account = tracked.delivery.account
        accounts[account.pk] = account
        by_account[account.pk].append(tracked)
    report = PullReport()
    cap = conf.stats()["max_posts_per_account"]
    for pk, tracked in by_account.items():
        try:
            report.accounts[pk] = pull_account(accounts[pk], tracked[:cap], now, report)
        except Exception:  # a bug with one network must not stop the others
            logger.exception("Metrics of account %s could not be read", pk)
            _defer(tracked[:cap], now, _("Erreur inattendue : voir le journal du worker."))
            report.accounts[pk] = "error"
    logger.info("Metrics pull: %s", report)
    return report


def _with_accounts(posts: Iterable[TrackedPost]) -> list[TrackedPost]:
    if isinstance(posts, QuerySet):
        return list(posts.select_related("delivery__account"))
    return list(posts)


def pull_account(
    account: SocialAccount, tracked: list[TrackedPost], now: dt.datetime, report: PullReport
) -> str:
    """Read the metrics of ``tracked`` posts of one account; returns what happened."""
    account.refresh_status()
    if not account.can_post:
        # Not hammered: nothing is asked of the network until a person reconnects the account
        # (or switches it back on); the posts stay due and are read then.
        note = account.status_message or _("Compte déconnecté ou désactivé : chiffres en attente.")
        TrackedPost.objects.filter(pk__in=[t.pk for t in tracked]).update(note=note)
        return "skipped"
    try:
        client: Any = account.client()
    except CredentialsUnreadable as exc:
        mark_reconnect_needed(account, str(exc))
        return "reconnect"
    remote_ids = [t.delivery.remote_id for t in tracked]
    try:
        results = client.metrics(remote_ids)
    except ReconnectNeeded:
        mark_reconnect_needed(account)
        return "reconnect"
    except TransientError as exc:
        _defer(tracked, now, str(exc), exc)
        return "deferred"
    except PermanentError as exc:  # refused as a whole: every metric unavailable, with why
        reason = Unavailable(REFUSED, str(exc))
        results = {rid: all_unavailable(client.metric_names, reason) for rid in remote_ids}
    for post in tracked:
        values = results.get(post.delivery.remote_id)
        if values is None:
            values = all_unavailable(
                client.metric_names,
                Unavailable(REFUSED, "the network's client gave nothing for this post"),
            )
        report.samples += record(post, values, now)
        report.read += 1
    return "read"


def record(post: TrackedPost, values: PostMetrics, now: dt.datetime) -> int:
    """Write the samples of one reading (only the metrics that changed) and plan the next one.
    Returns the number of samples written."""
    latest = dict(post.latest or {})
    samples = []
    for metric, value in values.items():
        if isinstance(value, Unavailable):
            state = {"unavailable": value.kind, "reason": value.reason[:2000]}
            changed = (latest.get(metric) or {}).get("unavailable") != value.kind
            sample = MetricSample(
                delivery_id=post.delivery_id,
                metric=metric,
                taken_at=now,
                unavailable=value.kind,
                reason=value.reason[:2000],
            )
        else:
            state = {"value": int(value)}
            changed = (latest.get(metric) or {}).get("value") != int(value)
            sample = MetricSample(
                delivery_id=post.delivery_id, metric=metric, taken_at=now, value=int(value)
            )
        latest[metric] = state
        if changed:
            samples.append(sample)
    with transaction.atomic():
        MetricSample.objects.bulk_create(samples)
        post.latest = latest
        post.last_pulled_at = now
        post.pulls += 1
        post.failures = 0
        post.note = ""
        post.next_pull_at = conf.next_pull_at(post.posted_at, now)
        post.save(
            update_fields=["latest", "last_pulled_at", "pulls", "failures", "note", "next_pull_at"]
        )
    return len(samples)


def _defer(
    tracked: list[TrackedPost], now: dt.datetime, note: str, error: TransientError | None = None
) -> None:
    """Wait before reading these posts again: the delivery policy's backoff (exponential, with
    jitter, capped), or the delay the network asked for."""
    c = conf.stats()
    policy = RetryPolicy(base_delay=c["backoff_base"], max_delay=c["backoff_max"])
    failures = max((t.failures for t in tracked), default=0) + 1
    when = now + dt.timedelta(seconds=policy.delay(failures, error))
    TrackedPost.objects.filter(pk__in=[t.pk for t in tracked]).update(
        next_pull_at=when, failures=failures, note=note[:2000]
    )
    logger.info("Metrics of %d post(s) deferred to %s: %s", len(tracked), when.isoformat(), note)
