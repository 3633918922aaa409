"""Pulling: every active account of every association, read from its cursor, into the desk.

The phases of :func:`pull`, each one function:

1. :func:`accounts_to_pull`: the accounts that can post and whose network gives conversations;
2. :func:`read` (one account): ``fetch_conversations`` from its cursor through the library's
   :func:`~syndication.conversations.pull_all`, with the remote ids of the account's posts
   (the networks without notifications read their comments);
3. :func:`store`: each message once (unique per account by its remote id, so pulling again
   stores nothing twice), linked to the post of the ledger it answers, flagged when it asks a
   question;
4. :func:`record`: the new cursor (after the messages: a crash in between reads them again,
   harmlessly) and how it went, in plain words, on the account's :class:`PullCursor`.

A network that refuses (a scope missing, an access level too low), fails or needs reconnecting
is noted on its own account; the others are pulled all the same.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.social.crypto import CredentialsUnreadable
from cms.social.models import Delivery, SocialAccount
from syndication.conversations import Message, PullResult, pull_all
from syndication.errors import (
    CapabilityError,
    PartialPull,
    ReconnectNeeded,
    SyndicationError,
    TransientError,
)
from syndication.networks import registry

from . import conf
from .models import IncomingMessage, PullCursor

logger = logging.getLogger(__name__)

#: How far back the posts whose comments are read go (LinkedIn, Facebook, Instagram).
POSTS_DAYS = 90


@dataclass
class Pulled:
    """What one account's pull did: messages read, stored (new), and the error if any."""

    account: SocialAccount
    read: int = 0
    stored: int = 0
    error: str = ""


# -- 1. which accounts -------------------------------------------------------------------------


def accounts_to_pull(sites: Iterable[int] | None = None) -> list[SocialAccount]:
    accounts = SocialAccount.objects.filter(active=True).select_related("site")
    if sites is not None:
        accounts = accounts.filter(site_id__in=list(sites))
    return [
        a
        for a in accounts.order_by("site_id", "network", "pk")
        if a.can_post and not a.demo and registry[a.network].pulls
    ]


# -- 2. reading --------------------------------------------------------------------------------


def posts_of(account: SocialAccount, now: dt.datetime) -> list[str]:
    """The remote ids of the account's posts of the last :data:`POSTS_DAYS` days."""
    since = now - dt.timedelta(days=POSTS_DAYS)
    return list(
        Delivery.objects.filter(account=account, state=Delivery.State.SENT)
        .exclude(remote_id="")
        .filter(created_at__gte=since)
        .order_by("created_at", "pk")
        .values_list("remote_id", flat=True)
    )


def read(account: SocialAccount, cursor: str | None, now: dt.datetime) -> PullResult:
    """One account's new messages from ``cursor`` (or the error that stopped it)."""
    try:
        client = account.client()
    except CredentialsUnreadable as exc:
        return PullResult(cursor=cursor, error=SyndicationError(str(exc), network=account.network))
    key = str(account.pk)
    results = pull_all({key: client}, {key: cursor}, {key: posts_of(account, now)})
    return results[key]


def explain(error: SyndicationError) -> str:
    """Why a pull stopped, in the admin's words, with what to do next."""
    detail = error.message
    if isinstance(error, CapabilityError):
        return _(
            "Le réseau refuse à Relais la lecture des conversations (%(detail)s). Vérifiez les "
            "autorisations de l'application ou reconnectez le compte dans Paramètres → Réseaux ; "
            "les autres comptes sont lus normalement."
        ) % {"detail": detail}
    if isinstance(error, ReconnectNeeded):
        return _(
            "L'accès au compte a expiré ou a été révoqué : reconnectez-le dans Paramètres → "
            "Réseaux pour que ses conversations soient lues à nouveau."
        )
    if isinstance(error, PartialPull):
        return _(
            "Lecture interrompue en cours de route (%(detail)s) : ce qui a été lu est gardé, "
            "la prochaine lecture reprend à partir de là."
        ) % {"detail": detail}
    if isinstance(error, TransientError):
        return _(
            "Le réseau n'a pas répondu (%(detail)s) : nouvel essai à la prochaine lecture, "
            "rien n'est perdu."
        ) % {"detail": detail}
    return _("La lecture a échoué (%(detail)s) : vérifiez le compte dans Paramètres → Réseaux.") % {
        "detail": detail
    }


# -- 3. storing --------------------------------------------------------------------------------


def is_question(text: str) -> bool:
    """Whether a message asks something: a question mark, or a question word first."""
    if "?" in text:
        return True
    plain = re.sub(r"^(?:\s*@[\w.\-@]+)+", "", text).strip().casefold()
    return any(plain.startswith(word) for word in conf.conversations()["question_words"])


def store(account: SocialAccount, messages: Iterable[Message]) -> int:
    """Store each message once; returns how many were new."""
    stored = 0
    for message in messages:
        if IncomingMessage.objects.filter(account=account, remote_id=message.id).exists():
            continue
        delivery = None
        if message.post:
            delivery = Delivery.objects.filter(account=account, remote_id=message.post).first()
        try:
            with transaction.atomic():
                IncomingMessage.objects.create(
                    site_id=account.site_id,
                    account=account,
                    network=account.network,
                    remote_id=message.id,
                    kind=message.kind,
                    author_name=message.author_name[:200],
                    author_handle=message.author_handle[:200],
                    author_id=message.author_id[:300],
                    text=message.text,
                    url=message.url[:500],
                    created_at=message.created_at,
                    delivery=delivery,
                    post_remote_id=message.post,
                    parent_remote_id=message.parent,
                    root_remote_id=message.root,
                    refs=dict(message.refs),
                    is_question=is_question(message.text),
                )
        except IntegrityError:  # stored by another pull meanwhile
            continue
        stored += 1
    return stored


# -- 4. recording ------------------------------------------------------------------------------


def record(account: SocialAccount, result: PullResult, stored: int, now: dt.datetime) -> PullCursor:
    state, _created = PullCursor.objects.get_or_create(account=account)
    state.last_pulled_at = now
    state.last_count = len(result.messages)
    if result.cursor is not None:
        state.cursor = result.cursor
    if result.error is None:
        state.last_success_at, state.last_error = now, ""
    else:
        state.last_error = explain(result.error)
    state.save()
    return state


# -- the whole pull ----------------------------------------------------------------------------


def pull_account(account: SocialAccount, now: dt.datetime | None = None) -> Pulled:
    now = now or timezone.now()
    state = PullCursor.objects.filter(account=account).first()
    result = read(account, (state.cursor or None) if state else None, now)
    stored = store(account, result.messages)
    saved = record(account, result, stored, now)
    if result.error is not None:
        logger.info("Pull of account %s stopped: %s", account.pk, result.error.message)
    return Pulled(account, len(result.messages), stored, saved.last_error)


def pull(sites: Iterable[int] | None = None, now: dt.datetime | None = None) -> list[Pulled]:
    """Pull every account (of ``sites``, else of every association)."""
    return [pull_account(account, now) for account in accounts_to_pull(sites)]
