"""The press review: the entries kept "pour la revue de presse" gathered into one draft item.

:func:`compose_review` makes an unpublished :class:`~cms.content.models.PressReviewPage` in
the association's index of alumni news, with one paragraph per entry — its title linked to
the article, the source credited, the date — and a short quotation when the entry has a
summary. The entries are marked as gathered (``review``), so that the next review takes the
entries kept since. The editor writes the standfirst's last words and publishes: the review
is then exported and syndicated like any item.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site
from wagtail.rich_text import RichText

from cms.content.models import PressReviewPage
from cms.federation.scope import associations_for

from .drafts import QUOTE_LIMIT, DraftError, credit, free_slug, news_index, shorten
from .models import WatchEntry

SUMMARY_LIMIT = 400


def pending(site: Site) -> Any:
    """The entries kept for the review and not yet in one, oldest first."""
    return (
        WatchEntry.objects.filter(
            site=site,
            state=WatchEntry.State.KEPT,
            kept_for=WatchEntry.KeptFor.REVIEW,
            review__isnull=True,
        )
        .select_related("source")
        .order_by("published", "pk")
    )


def entry_blocks(entry: WatchEntry) -> list[tuple[str, Any]]:
    day = formats.date_format(timezone.localtime(entry.published), "DATE_FORMAT")
    line = _('<a href="%(link)s">%(title)s</a> — %(source)s, %(day)s') % {
        "link": escape(entry.link),
        "title": escape(entry.title),
        "source": escape(credit(entry)),
        "day": escape(day),
    }
    blocks: list[tuple[str, Any]] = [("paragraph", RichText(f"<p>{line}</p>"))]
    quotation = shorten(entry.summary, QUOTE_LIMIT)
    if quotation:
        blocks.append(("quote", {"text": quotation, "attribution": credit(entry)}))
    return blocks


def compose_review(site: Site, user: Any) -> PressReviewPage:
    """The draft press review of ``site``'s pending entries, composed by ``user`` (see the
    module's docstring); refused to who does not work on ``site`` or may not add to its news."""
    if not associations_for(user).filter(site=site).exists():
        raise PermissionDenied
    entries = list(pending(site))
    if not entries:
        raise DraftError(
            _(
                "Aucun article gardé pour la revue de presse : gardez-en depuis le tri du jour "
                "(« Garder pour la revue de presse »), puis recommencez."
            )
        )
    if not news_index(site).permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    return compose(site, entries, user)


def compose(site: Site, entries: list[WatchEntry], owner: Any = None) -> PressReviewPage:
    """The draft press review of ``entries`` (not empty) in ``site``'s news, owned by ``owner``
    (``None`` when the worker's clock composes it: :mod:`.weekly`)."""
    index = news_index(site)
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    title = _("Revue de presse du %(day)s") % {"day": today}
    sources = sorted({credit(e) for e in entries}, key=str.casefold)
    summary = ngettext(
        "%(count)d article repéré par la rédaction, chez %(sources)s.",
        "%(count)d articles repérés par la rédaction, chez %(sources)s.",
        len(entries),
    ) % {"count": len(entries), "sources": ", ".join(sources)}
    body = [block for entry in entries for block in entry_blocks(entry)]
    with transaction.atomic():
        page = PressReviewPage(
            title=title,
            slug=free_slug(index, title),
            summary=shorten(summary, SUMMARY_LIMIT),
            body=body,
            live=False,
            owner=owner,
        )
        index.add_child(instance=page)
        page.save_revision(user=owner, log_action=True)
        WatchEntry.objects.filter(pk__in=[e.pk for e in entries]).update(review=page)
    return page
