"""Sending a discussion or a thank-you: composed per network from the editor's text, written to
the ledger (one ``Delivery`` per account, no page) and posted by the delivery engine of
:mod:`cms.social.delivery`, which asks :func:`compose_delivery` (the
``relais_delivery_message`` hook) for the post of each line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.publishing.models import ExportRecord
from cms.social.compose import compose_error_message, item_from_record, strictest_network
from cms.social.models import Delivery
from cms.social.planning import enqueue
from syndication.compose import compose_message
from syndication.errors import ComposeError
from syndication.models import Item, Post
from syndication.registry import Network

from .drafting import active_accounts, text_for
from .models import KEY_PREFIX, Discussion


class LinkedItemNotLive(ComposeError):
    """The item a discussion links to is not on the site (``explanation``: what the editor
    reads, on the send page and in the ledger)."""

    @property
    def explanation(self) -> str:
        return _(
            "L'article lié n'est pas en ligne : publiez-le d'abord, ou retirez-le de la discussion."
        )


class DiscussionDeleted(ComposeError):
    """The discussion of a line of the ledger was deleted before it went out."""

    @property
    def explanation(self) -> str:
        return _("La discussion a été supprimée avant de partir sur ce réseau.")


def linked_item(discussion: Discussion) -> Item | None:
    """The item whose link and card go with the post (None: no item linked)."""
    if discussion.page_id is None:
        return None
    record = ExportRecord.objects.filter(page_id=discussion.page_id, withdrawn=False).first()
    if record is None or record.live_at is None:
        raise LinkedItemNotLive(
            f"{discussion.key}: the linked item is not live on the site", network=""
        )
    return item_from_record(record)


def compose_for(discussion: Discussion, network: Network) -> Post:
    """The post of ``discussion`` on ``network`` (raises :class:`ComposeError`)."""
    return compose_message(
        text_for(discussion, network.name),
        network,
        key=discussion.key,
        item=linked_item(discussion),
        poll=discussion.poll,
        lang="fr",
    )


def compose_delivery(delivery: Delivery, network: Network) -> Post | None:
    """The ``relais_delivery_message`` hook: the post of a discussion's line of the ledger."""
    if not delivery.item_key.startswith(KEY_PREFIX):
        return None
    pk = delivery.item_key.removeprefix(KEY_PREFIX)
    discussion = Discussion.objects.filter(pk=int(pk) if pk.isdigit() else 0).first()
    if discussion is None:
        raise DiscussionDeleted(f"{delivery.item_key}: the discussion was deleted", network="")
    post = compose_for(discussion, network)
    post.item_key = delivery.item_key
    return post


def error_message(exc: ComposeError, network: Network) -> str:
    """What the editor reads when ``network`` cannot take the post, with what to do."""
    if isinstance(exc, LinkedItemNotLive):
        return _(
            "L'article lié n'est pas en ligne : publiez-le d'abord, ou retirez-le de la discussion."
        )
    return compose_error_message(exc, network)


@dataclass
class Preview:
    """What the send page shows for one network: its text, count, limit, or why not."""

    network: str
    label: str
    text: str
    accounts: list[Any]
    length: int | None = None
    limit: int = 0
    error: str = ""
    poll: bool = False


def previews(discussion: Discussion) -> list[Preview]:
    """One per network of the site's active accounts (the chosen ones are sent)."""
    accounts = active_accounts(discussion.site_id)
    result = []
    for name in sorted({a.network for a in accounts}):
        mine = [a for a in accounts if a.network == name]
        network = strictest_network(name, mine)
        shown = Preview(name, network.label, text_for(discussion, name), mine)
        shown.limit = network.max_length
        if not shown.text.strip():
            shown.error = _("Le texte pour %(label)s est vide : écrivez-le.") % {
                "label": network.label
            }
            result.append(shown)
            continue
        try:
            post = compose_for(discussion, network)
        except ComposeError as exc:
            shown.error = error_message(exc, network)
        else:
            shown.length, shown.poll = post.length, post.poll is not None
        result.append(shown)
    return result


class LaunchError(Exception):
    """Nothing was sent; ``problems`` says, per network, why and what to do."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def launch(discussion: Discussion, user: Any) -> list[Delivery]:
    """Send ``discussion`` to the accounts of its chosen networks: every text is checked
    first (nothing leaves if one cannot), then one line of the ledger per account is written
    and its task enqueued after the commit. A discussion is sent once."""
    if discussion.is_sent:
        raise LaunchError([_("Cette discussion est déjà partie : rien n'est envoyé deux fois.")])
    chosen = [p for p in previews(discussion) if p.network in (discussion.networks or [])]
    if not chosen:
        raise LaunchError(
            [_("Choisissez au moins un réseau connecté (Paramètres → Réseaux) où l'envoyer.")]
        )
    problems = [f"{p.label} : {p.error}" for p in chosen if p.error]
    if problems:
        raise LaunchError(problems)
    created: list[Delivery] = []
    with transaction.atomic():
        locked = Discussion.objects.select_for_update().get(pk=discussion.pk)
        if locked.is_sent:
            raise LaunchError(
                [_("Cette discussion est déjà partie : rien n'est envoyé deux fois.")]
            )
        for preview in chosen:
            for account in preview.accounts:
                delivery, new = Delivery.objects.get_or_create(
                    item_key=discussion.key,
                    account=account,
                    defaults={
                        "network": account.network,
                        "requested_by": user if getattr(user, "pk", None) else None,
                    },
                )
                if new:
                    created.append(delivery)
        Discussion.objects.filter(pk=discussion.pk).update(
            state=Discussion.State.SENT, sent_at=timezone.now()
        )
        enqueue(created)
    discussion.refresh_from_db()
    return created


def deliveries_of(discussion: Discussion) -> list[Delivery]:
    return list(
        Delivery.objects.filter(item_key=discussion.key)
        .select_related("account")
        .order_by("network", "pk")
    )
