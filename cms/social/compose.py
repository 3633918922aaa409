"""From an item of the CMS to the post of each network, with the library's composer.

What is posted is composed from the **exported content file** (:func:`item_from_record`), so it
says exactly what the live page says, with its canonical URL. The editor's Social tab composes
from the page being edited (:func:`item_from_page`) through the same export mapping, so the
counts it shows are those of the post that will go out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cms.federation.models import Association
from cms.publishing.export import item_for_page
from relais.contentfile import load_file
from syndication.compose import compose
from syndication.errors import ComposeError, NotSyndicable, OverrideTooLong, PollRefused
from syndication.models import Item, Post
from syndication.networks import registry
from syndication.registry import Network

from .models import SocialAccount


def item_from_record(record: Any) -> Item:
    """The item as it is live: read from its exported content file (an ``ExportRecord``), in
    its association's content folder, with its association's address."""
    association = Association.for_site(record.site_id)
    folder = association.content_dir
    content = load_file(folder / record.path, shown_as=record.path)
    return Item.from_content_item(content, site_url=association.public_url, content_dir=str(folder))


def item_from_page(page: Any) -> Item:
    """The item the export would write for ``page`` (saved or not, e.g. the edit form's)."""
    content, _assets = item_for_page(page)
    association = page.association
    return Item.from_content_item(
        content, site_url=association.public_url, content_dir=str(association.content_dir)
    )


def strictest_network(name: str, accounts: Iterable[SocialAccount]) -> Network:
    """The network with the smallest limit among ``accounts`` of it (a text fitting it fits
    all of them); the network's defaults when there is none."""
    best: Network | None = None
    for account in accounts:
        if account.network != name:
            continue
        network = account.make_network()
        if best is None or network.max_length < best.max_length:
            best = network
    return best or registry.create(name)


# -- the editor's texts (ItemPage.social_texts) ----------------------------------------------


def override_for(texts: Mapping[str, Any] | None, network: str) -> str | None:
    """The editor's own text for ``network``, or None (composed automatically)."""
    entry = (texts or {}).get(network) or {}
    text = entry.get("text") if isinstance(entry, Mapping) else None
    return text if isinstance(text, str) and text.strip() else None


def post_at_for(texts: Mapping[str, Any] | None, network: str) -> dt.datetime | None:
    """When the editor asked the post on ``network`` to go out (None: as soon as live)."""
    entry = (texts or {}).get(network) or {}
    value = entry.get("post_at") if isinstance(entry, Mapping) else None
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if timezone.is_aware(when) else timezone.make_aware(when)


#: ``social_texts[network]["slot"]``: the post goes at the account's next free posting slot.
NEXT_SLOT = "next"


def wants_next_slot(texts: Mapping[str, Any] | None, network: str) -> bool:
    """Whether the editor chose "prochain créneau libre" for ``network``."""
    entry = (texts or {}).get(network) or {}
    return isinstance(entry, Mapping) and entry.get("slot") == NEXT_SLOT


def too_long_message(exc: OverrideTooLong, network: Network) -> str:
    """The French message for an editor's text over the network's limit."""
    label = network.label
    if (
        network.hashtag_limit is not None
        and exc.limit == network.hashtag_limit
        and ("hashtag" in str(exc))
    ):
        return _(
            "Le texte pour %(label)s contient %(n)s hashtags ; %(label)s en accepte "
            "%(limit)s : retirez-en %(over)s."
        ) % {"label": label, "n": exc.length, "limit": exc.limit, "over": exc.length - exc.limit}
    if exc.length <= exc.limit:
        return _(
            "Le texte pour %(label)s est trop lourd : il dépasse %(bytes)s octets (les émojis "
            "en pèsent plusieurs). Raccourcissez-le ou retirez des émojis."
        ) % {"label": label, "bytes": network.max_bytes}
    return _(
        "Le texte pour %(label)s compte %(length)s caractères comme %(label)s les compte "
        "(lien compris) ; la limite est de %(limit)s : raccourcissez-le de %(over)s."
    ) % {"label": label, "length": exc.length, "limit": exc.limit, "over": exc.length - exc.limit}


def not_syndicable_message(exc: NotSyndicable, network: Network) -> str:
    if network.requires_image:
        return _(
            "%(label)s ne publie que des images et cet article n'en a pas : ajoutez une image "
            "principale à l'article, ou laissez %(label)s de côté pour lui."
        ) % {"label": network.label}
    return _("%(label)s ne peut pas publier cet article.") % {"label": network.label}


def poll_refused_message(exc: PollRefused, network: Network) -> str:
    """The French message for a poll ``network`` cannot take, with what to do."""
    limits = network.poll_limits
    values = {"label": network.label}
    if limits is None or exc.reason == "unsupported":
        return (
            _(
                "%(label)s ne permet pas de publier un sondage par son API : retirez le sondage, "
                "ou laissez %(label)s de côté pour cette discussion (la question seule peut y "
                "partir dans une autre discussion)."
            )
            % values
        )
    values.update(
        options=limits.max_options,
        length=limits.option_length,
        low=limits.min_seconds // 60,
        high=limits.max_seconds // 3600,
    )
    if exc.reason == "options":
        return _("Un sondage %(label)s propose de 2 à %(options)s choix : ajustez les choix.") % (
            values
        )
    if exc.reason == "question":
        return _(
            "Sur %(label)s, la question d'un sondage fait de 1 à %(length)s caractères : "
            "raccourcissez la question."
        ) % {"label": network.label, "length": limits.question_length}
    if exc.reason == "duration" and limits.durations:
        return _(
            "Sur %(label)s, un sondage reste ouvert l'une de ces durées, en heures : "
            "%(hours)s. Changez sa durée."
        ) % {
            "label": network.label,
            "hours": ", ".join(str(d // 3600) for d in limits.durations),
        }
    if exc.reason == "option_length":
        return (
            _(
                "Sur %(label)s, chaque choix du sondage fait au plus %(length)s caractères : "
                "raccourcissez-les."
            )
            % values
        )
    return (
        _(
            "Sur %(label)s, un sondage reste ouvert de %(low)s minutes à %(high)s heures : "
            "changez sa durée."
        )
        % values
    )


def compose_error_message(exc: ComposeError, network: Network) -> str:
    if isinstance(exc, PollRefused):
        return poll_refused_message(exc, network)
    if isinstance(exc, OverrideTooLong):
        return too_long_message(exc, network)
    if isinstance(exc, NotSyndicable):
        return not_syndicable_message(exc, network)
    return _(
        "Le texte pour %(label)s ne peut pas être composé : l'adresse de l'article est trop "
        "longue pour tenir dans une publication. Raccourcissez son slug."
    ) % {"label": network.label}


def preview(item: Item, network: Network, override: str | None) -> dict[str, Any]:
    """What the Social tab shows for one network: the text, its count and limit, or why not."""
    result: dict[str, Any] = {
        "network": network.name,
        "label": network.label,
        "limit": network.max_length,
        "override": override is not None,
        "text": override or "",
        "length": None,
        "error": "",
        "skipped": "",
        "card": None,
        "link": "",
    }
    try:
        post: Post = compose(item, network, override)
    except OverrideTooLong as exc:
        result.update(length=exc.length, error=too_long_message(exc, network))
        if network.hashtag_limit is not None and exc.limit == network.hashtag_limit:
            result["length"] = None
        return result
    except NotSyndicable as exc:
        result["skipped"] = not_syndicable_message(exc, network)
        return result
    except ComposeError as exc:
        result["error"] = compose_error_message(exc, network)
        return result
    result.update(text=post.text, length=post.length, limit=post.limit, link=post.link)
    if post.card is not None:
        result["card"] = {"title": post.card.title, "url": post.card.url}
    return result
