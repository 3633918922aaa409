"""Carrying out one delivery: compose from the live content file, post through the library's
delivery engine (exactly once), and react to what came back.

The engine writes the ledger; this module decides what happens around it: an account to
reconnect (its owner is told, the delivery waits), a retry later (the task is enqueued again for
then rather than sleeping in the worker), an item that left the site (skipped).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks

from cms.publishing.models import ExportRecord
from relais.contentfile import ContentFileError
from syndication.compose import compose
from syndication.delivery import DeliveryEngine
from syndication.errors import ComposeError, NotSyndicable, PostRejected, ReconnectNeeded
from syndication.http import Client
from syndication.ledger import State
from syndication.models import Post, RemotePost
from syndication.policy import RetryPolicy

from . import budget, conf
from .compose import compose_error_message, item_from_record, override_for
from .crypto import CredentialsUnreadable
from .ledger import DjangoLedger, to_entry
from .models import Delivery, SocialAccount
from .notify import mark_reconnect_needed
from .signals import delivery_due

logger = logging.getLogger(__name__)

#: How the engine waits for short delays (tests replace it).
sleep: Callable[[float], None] = time.sleep
#: The time deliveries are judged by: when a post is due, and the posting budgets (tests
#: replace it to see what happens later).
clock: Callable[[], dt.datetime] = timezone.now


def make_engine(ledger: DjangoLedger | None = None) -> DeliveryEngine:
    c = conf.delivery()
    policy = RetryPolicy(
        max_attempts=c["max_attempts"],
        max_inline_delay=c["max_inline_delay"],
        check_delay=c["check_delay"],
    )
    return DeliveryEngine(
        ledger or DjangoLedger(),
        policy=policy,
        sleep=lambda s: sleep(s),
        clock=lambda: clock().timestamp(),
        sending_lease=c["sending_lease"],
    )


class LaterRoundClient:
    """A client for a second (third...) post of the same item on the same account.

    ``find_existing`` matches posts by the item's link, so it would find the earlier round's
    post; as it reads newest first, finding that one means the new post does not exist."""

    def __init__(self, client: Client, earlier_ids: set[str]):
        self._client = client
        self._earlier = earlier_ids

    def publish(self, post: Post) -> RemotePost:
        return self._client.publish(post)

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        found = self._client.find_existing(post, since=since)
        if found is not None and found.id in self._earlier:
            return None
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class MessageClient(LaterRoundClient):
    """A client for a post that is no item's excerpt (a discussion, a thank-you).

    Looked for after an uncertain attempt by its link, as an item's post, but any post the
    account made before with that link (the item's own post) is not it; a post without a link
    cannot be looked for, and fails rather than risk being posted twice."""

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        if not post.item_url:
            raise PostRejected(
                "this post has no link to be looked for by on the network after an uncertain "
                "attempt: check the account, and try again only if the post is not there"
            )
        return super().find_existing(post, since=since)


#: Functions ``fn(delivery, network) -> Post | None`` that compose the deliveries that are no
#: item's excerpt (:mod:`cms.discuss`: a discussion, a thank-you); the first that answers
#: composes, None from all: the delivery is an item's post.
MESSAGE_HOOK = "relais_delivery_message"


def message_post(delivery: Delivery, network: Any) -> Post | None:
    """The post of ``delivery`` when a :data:`MESSAGE_HOOK` function composes it."""
    for fn in hooks.get_hooks(MESSAGE_HOOK):
        post = fn(delivery, network)
        if post is not None:
            return post
    return None


def _note(delivery: Delivery, reason: str, **changes: Any) -> Delivery:
    """Record why a delivery waits or stops (a ledger write, compare-and-set)."""
    DjangoLedger().update(to_entry(delivery), reason=reason, updated_at=clock(), **changes)
    delivery.refresh_from_db()
    return delivery


def budget_message(spent: budget.Spent, account: SocialAccount) -> str:
    """Why a delivery waits for a posting budget, and until when."""
    values = {
        "network": account.network_label,
        "posts": spent.budget.posts,
        "hours": format_hours(spent.budget.seconds),
        "when": formats.date_format(timezone.localtime(spent.until), "DATETIME_FORMAT"),
    }
    if spent.budget.per == "application":
        return (
            _(
                "L'application %(network)s de l'installation a atteint sa limite (%(posts)s "
                "publications en %(hours)s, pour toutes les associations) : la publication "
                "attend et partira vers le %(when)s."
            )
            % values
        )
    return (
        _(
            "Ce compte %(network)s a atteint sa limite (%(posts)s publications en %(hours)s) : "
            "la publication attend et partira vers le %(when)s."
        )
        % values
    )


def format_hours(seconds: int) -> str:
    hours = seconds / 3600
    if hours >= 1 and hours == int(hours):
        return ngettext("%(n)s heure", "%(n)s heures", int(hours)) % {"n": int(hours)}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


def carry_out_later(delivery_id: int, run_after: dt.datetime | None = None) -> None:
    """Announce that the delivery is to be carried out (again) not before ``run_after``: the
    app's tasks enqueue it once the transaction commits (``delivery_due``)."""
    delivery_due.send(Delivery, delivery_id=delivery_id, run_after=run_after)


def _live_record(delivery: Delivery) -> Any:
    return ExportRecord.objects.filter(page_id=delivery.page_id).first()


def deliver(delivery_id: int) -> Delivery | None:
    """Post one delivery now (or note why not, and when it will be tried again)."""
    delivery = (
        Delivery.objects.select_related("account", "account__owner").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.is_final:
        return delivery
    account = delivery.account
    now = clock()
    if not account.active or not account.credentials:
        return _note(
            delivery,
            _("Le compte %(account)s est déconnecté : reconnectez-le dans Paramètres → Réseaux.")
            % {"account": account},
        )
    account.refresh_status()
    if account.status == SocialAccount.Status.RECONNECT:
        return _note(delivery, account.status_message or _("Compte à reconnecter."))
    if delivery.post_at is not None and delivery.post_at > now:
        carry_out_later(delivery.pk, delivery.post_at)
        return delivery
    network = account.make_network()
    try:
        post = message_post(delivery, network)
    except NotSyndicable as exc:
        make_engine().skip(
            delivery.item_key, str(account.pk), account.network, compose_error_message(exc, network)
        )
        delivery.refresh_from_db()
        return delivery
    except ComposeError as exc:
        # a hook may say it in its own words (``explanation``), else the composer's message
        reason = getattr(exc, "explanation", "") or compose_error_message(exc, network)
        return _note(delivery, reason, state=State.FAILED)
    if post is not None:
        return _send(delivery, account, post, now, MessageClient)
    record = _live_record(delivery)
    if record is None or record.withdrawn:
        if delivery.state != State.PENDING:  # a post may exist: keep the record as it is
            return _note(
                delivery,
                _(
                    "L'article a été retiré du site pendant sa publication : "
                    "vérifiez le compte sur le réseau."
                ),
            )
        return _note(
            delivery,
            _("L'article a été retiré du site avant de partir sur ce réseau."),
            state=State.SKIPPED,
        )
    if record.live_at is None:
        # Re-exported, not built yet: it goes out when the new version is live (items_live).
        return _note(delivery, _("La publication partira dès que l'article sera en ligne."))

    try:
        item = item_from_record(record)
        page = delivery.page.specific if delivery.page_id else None
        override = override_for(getattr(page, "social_texts", None), account.network)
        post = compose(item, network, override)
    except NotSyndicable as exc:
        make_engine().skip(
            delivery.item_key, str(account.pk), account.network, compose_error_message(exc, network)
        )
        delivery.refresh_from_db()
        return delivery
    except ComposeError as exc:
        return _note(delivery, compose_error_message(exc, network), state=State.FAILED)
    except (ContentFileError, OSError) as exc:
        return _note(
            delivery,
            _(
                "Le fichier exporté de l'article ne peut pas être lu (%(error)s) :"
                " republiez l'article."
            )
            % {"error": exc},
            state=State.FAILED,
        )
    post.item_key = delivery.item_key
    return _send(delivery, account, post, now, LaterRoundClient if delivery.round > 1 else None)


def _send(
    delivery: Delivery,
    account: SocialAccount,
    post: Post,
    now: dt.datetime,
    wrapper: type[LaterRoundClient] | None,
) -> Delivery:
    """Post ``post`` for ``delivery`` through the engine, within the posting budgets."""
    Delivery.objects.filter(pk=delivery.pk).update(text=post.text)
    try:
        client: Any = account.client()
    except CredentialsUnreadable as exc:
        mark_reconnect_needed(account, str(exc))
        return _note(delivery, str(exc))
    if wrapper is LaterRoundClient:
        earlier = set(
            Delivery.objects.filter(
                page_id=delivery.page_id, account=account, round__lt=delivery.round
            )
            .exclude(remote_id="")
            .values_list("remote_id", flat=True)
        )
        client = LaterRoundClient(client, earlier)
    elif wrapper is not None:
        others = set(
            Delivery.objects.filter(account=account)
            .exclude(pk=delivery.pk)
            .exclude(remote_id="")
            .values_list("remote_id", flat=True)
        )
        client = wrapper(client, others)

    # a post about to be sent counts in the budgets (one in flight elsewhere is counted there)
    if delivery.state != State.SENDING and (delivery.retry_at is None or delivery.retry_at <= now):
        spent = budget.reserve(account.network, account.pk, now)
        if spent is not None:
            carry_out_later(delivery.pk, spent.until)
            return _note(delivery, budget_message(spent, account), retry_at=spent.until)

    engine = make_engine()
    try:
        entry = engine.deliver(post, client, str(account.pk))
    except ReconnectNeeded:
        # The engine put the delivery back to pending: it leaves once the account is reconnected
        mark_reconnect_needed(account)
        delivery.refresh_from_db()
        return delivery
    logger.info(
        "Delivery %s of %s to %s: %s", delivery.pk, delivery.item_key, account.network, entry.state
    )
    if entry.retry_at is not None:
        carry_out_later(delivery.pk, entry.retry_at)
    elif entry.state == State.SENDING and entry.updated_at is not None:
        # Another worker holds it; if that worker died, look again when its lease is over.
        lease = dt.timedelta(seconds=engine.sending_lease + 1)
        carry_out_later(delivery.pk, entry.updated_at + lease)
    delivery.refresh_from_db()
    return delivery


def resume_account(account: SocialAccount) -> int:
    """Enqueue the deliveries of ``account`` that waited (after it was reconnected)."""
    waiting = list(
        Delivery.objects.filter(
            account=account, state__in=[State.PENDING, State.NEEDS_CHECK]
        ).values_list("pk", "post_at")
    )
    for pk, post_at in waiting:
        carry_out_later(pk, post_at)
    return len(waiting)


def release_abandoned(worker_id: str, delivery_id: int) -> bool:
    """The worker running this delivery died (the recovery found its task running on a dead
    worker): a ``sending`` delivery is nobody's any more. It becomes ``needs_check`` at once,
    rather than after the sending lease, and is looked for on the network ``check_delay``
    seconds from now (a request the dead worker had sent may still land) before any new post.
    Returns whether it was released."""
    delivery = Delivery.objects.filter(pk=delivery_id, state=State.SENDING).first()
    if delivery is None:
        return False
    now = timezone.now()
    check = dt.timedelta(seconds=conf.delivery()["check_delay"])
    released = DjangoLedger().update(
        to_entry(delivery),
        state=State.NEEDS_CHECK,
        updated_at=now,
        retry_at=now + check,
        reason=f"worker {worker_id or '?'} stopped while posting: look for the post before "
        "sending again",
    )
    return released is not None


def resume(now: dt.datetime | None = None) -> int:
    """Enqueue the deliveries that nothing will carry on by itself: left ``sending`` by a worker
    that stopped (older than the lease), or waiting well past the time they were due (their
    queued task was lost). Accounts to reconnect are left alone: reconnecting resumes them.
    Safe to run any time: a delivery enqueued twice is still posted once."""
    c = conf.delivery()
    now = now or clock()
    lease = dt.timedelta(seconds=c["sending_lease"])
    grace = dt.timedelta(seconds=c["resume_grace"])
    count = 0
    for delivery in Delivery.objects.filter(
        state__in=[State.PENDING, State.SENDING, State.NEEDS_CHECK]
    ).select_related("account"):
        if not delivery.account.can_post:
            continue
        last = delivery.updated_at or delivery.created_at
        if delivery.state == State.SENDING:
            if now - last < lease:
                continue
        else:
            due = max(filter(None, [delivery.retry_at, delivery.post_at, last]))
            if now - due < grace:
                continue
        carry_out_later(delivery.pk)
        count += 1
    return count


def failing_count() -> int:
    """Posts that failed or whose outcome is uncertain, on every site (the health check)."""
    return Delivery.objects.filter(
        state__in=[Delivery.State.FAILED, Delivery.State.NEEDS_CHECK]
    ).count()
