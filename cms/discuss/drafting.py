"""Drafts: the thank-you to an item's contributors, a discussion from a watched entry, and the
text each network gets until the editor writes their own.

A thank-you names each contributor as the network mentions them (their handle on Mastodon,
Bluesky and X, kept on the contributor's record), else by their name; it is fitted to the
strictest account of each network with the library's counting (the item's title is shortened,
then left out, before any contributor is).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.federation.scope import associations_for, scoped_objects
from cms.publishing.models import ExportRecord
from cms.social.compose import item_from_record, strictest_network
from cms.social.models import SocialAccount
from cms.taxonomy.models import Contributor
from syndication.compose import compose_message
from syndication.errors import ComposeError
from syndication.models import Item
from syndication.networks import registry
from syndication.registry import Network
from syndication.text import shorten

from .models import Discussion


class DraftError(Exception):
    """The draft cannot be made; the message says why and what to do."""


def names(people: Iterable[str]) -> str:
    """« A », « A et B », « A, B et C »."""
    people = list(people)
    if len(people) <= 1:
        return "".join(people)
    return _("%(first)s et %(last)s") % {"first": ", ".join(people[:-1]), "last": people[-1]}


def mention(contributor: Contributor, network: str) -> str:
    """How ``network`` names ``contributor``: their handle there, else their name."""
    return contributor.handle(network) or contributor.name


def thanks_text(
    title: str, contributors: list[Contributor], network: Network, item: Item | None = None
) -> str:
    """The thank-you for ``network``: every contributor named, within its limit (with
    ``item``'s link, as it will be posted)."""
    who = names(mention(c, network.name) for c in contributors)

    def make(shown: str) -> str:
        if shown:
            return _("Merci à %(who)s pour « %(title)s » !") % {"who": who, "title": shown}
        return _("Merci à %(who)s !") % {"who": who}

    def fits(text: str) -> bool:
        try:
            compose_message(text, network, key="draft", item=item)
        except ComposeError:
            return False
        return True

    if fits(make(title)):
        return make(title)
    short = shorten(title, lambda t: fits(make(t)))
    return make(short) if short else make("")


def question_text(discussion: Discussion) -> str:
    """A discussion's text before the editor writes their own: the question, its context, the
    watched article's link and its source."""
    parts = [discussion.question.strip()]
    if discussion.context.strip():
        parts.append(discussion.context.strip())
    if discussion.link and discussion.page_id is None:
        parts.append(discussion.link)
    if discussion.source:
        parts.append(_("Source : %(source)s") % {"source": discussion.source})
    return "\n\n".join(parts)


def active_accounts(site_id: int, networks: Iterable[str] | None = None) -> list[SocialAccount]:
    accounts = SocialAccount.objects.filter(site_id=site_id, active=True).order_by("network", "pk")
    if networks is not None:
        accounts = accounts.filter(network__in=list(networks))
    return list(accounts)


def needs_picture(network: str) -> bool:
    """Whether ``network`` publishes pictures only (Instagram): a text alone cannot go there."""
    return registry.get_or_error(network).requires_image


def text_for(discussion: Discussion, network: str) -> str:
    """The text ``network`` gets: the editor's, else the draft."""
    own = (discussion.texts or {}).get(network)
    if isinstance(own, str) and own.strip():
        return own
    return question_text(discussion)


def contributors_of(page: Page) -> list[Contributor]:
    specific = page.specific
    if not hasattr(specific, "contributors"):
        return []
    return list(specific.contributors.order_by("name", "pk"))


def draft_thanks(page: Page, user: Any) -> Discussion:
    """A draft thank-you to the contributors of ``page``, a text per network of its site's
    accounts, for the editor to review and send."""
    mine = scoped_objects(Page, user)
    if mine is None or not mine.filter(pk=page.pk).exists():
        raise PermissionDenied
    if not page.permissions_for_user(user).can_edit():
        raise PermissionDenied
    people = contributors_of(page)
    if not people:
        raise DraftError(
            _(
                "Aucun contributeur n'est crédité sur « %(title)s » : ajoutez-les dans l'onglet "
                "de l'article (Classement et crédits), puis recommencez."
            )
            % {"title": page.title}
        )
    site = page.get_site()
    pictured = bool(getattr(page.specific, "hero_image_id", None))
    accounts = [a for a in active_accounts(site.pk) if pictured or not needs_picture(a.network)]
    networks = sorted({a.network for a in accounts})
    record = ExportRecord.objects.filter(page_id=page.pk, withdrawn=False).first()
    if record is None or record.live_at is None:
        raise DraftError(
            _("« %(title)s » n'est pas en ligne : publiez-le, puis remerciez ses contributeurs.")
            % {"title": page.title}
        )
    item = item_from_record(record)
    texts = {
        name: thanks_text(page.title, people, strictest_network(name, accounts), item)
        for name in networks
    }
    return Discussion.objects.create(
        site=site,
        kind=Discussion.Kind.THANKS,
        question=(_("Merci pour « %(title)s »") % {"title": page.title})[:300],
        page=page,
        networks=networks,
        texts=texts,
        created_by=user if getattr(user, "pk", None) else None,
    )


def from_entry(entry: Any, user: Any, credit: Callable[[Any], str]) -> Discussion:
    """A draft discussion of a watched entry: its title as the question, its summary as the
    context, its link, its source credited (``credit(entry)``)."""
    if not associations_for(user).filter(site_id=entry.site_id).exists():
        raise PermissionDenied
    accounts = [a for a in active_accounts(entry.site_id) if not needs_picture(a.network)]
    context = " ".join((entry.summary or "").split())
    if len(context) > 280:
        context = context[:279].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
    with transaction.atomic():
        discussion = Discussion.objects.create(
            site_id=entry.site_id,
            kind=Discussion.Kind.QUESTION,
            question=_("Qu'en pensez-vous ? %(title)s") % {"title": entry.title[:270]},
            context=context,
            entry=entry,
            link=entry.link[:2000],
            source=credit(entry)[:250],
            networks=sorted({a.network for a in accounts}),
            created_by=user if getattr(user, "pk", None) else None,
        )
    return discussion
