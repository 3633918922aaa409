"""An entry of the desk turned into a draft news item of the association.

The draft is an unpublished :class:`~cms.content.models.AlumniNewsPage` in the association's
own index of alumni news (as the pool's adapted copies are): its title is the entry's, its
standfirst credits the source, its body holds a short quotation (at most :data:`QUOTE_LIMIT`
characters, cut at a word: the right of quotation covers short extracts, credited), the
link to the article, and a paragraph for the editor's commentary, to write before publishing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from cms.content.models import AlumniNewsPage, SectionIndexPage
from cms.federation.scope import associations_for
from relais import sections

from .models import WatchEntry

QUOTE_LIMIT = 300
SUMMARY_LIMIT = 400


class DraftError(Exception):
    """The draft cannot be made; the message says why and what to do."""


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word before ``limit`` characters, with « … » when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def news_index(site: Site) -> SectionIndexPage:
    """The association's index of alumni news, where drafts and press reviews go."""
    index = SectionIndexPage.of(site, sections.NEWS.key)
    if index is None:
        raise DraftError(
            _(
                "Le site n'a pas de rubrique « %(section)s » : créez-la (Pages, sous la page "
                "d'accueil), puis recommencez."
            )
            % {"section": sections.NEWS.label_fr}
        )
    return index


def free_slug(index: Page, title: str) -> str:
    base = slugify(title)[:200] or "veille"
    taken = set(Page.objects.child_of(index).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def credit(entry: WatchEntry) -> str:
    """Who published the article: the source's name, else the link's host."""
    return entry.source.title or urlsplit(entry.link).hostname or entry.link


def body_of(entry: WatchEntry) -> list[tuple[str, Any]]:
    source = escape(credit(entry))
    link = escape(entry.link)
    blocks: list[tuple[str, Any]] = []
    quotation = shorten(entry.summary, QUOTE_LIMIT)
    if quotation:
        blocks.append(("quote", {"text": quotation, "attribution": credit(entry)}))
    blocks.append(
        (
            "paragraph",
            RichText(
                "<p>"
                + _('Lire l\'article sur <a href="%(link)s">%(source)s</a>.')
                % {"link": link, "source": source}
                + "</p>"
            ),
        )
    )
    blocks.append(
        (
            "paragraph",
            RichText(
                "<p>"
                + escape(_("[Commentaire de la rédaction : ce que cela change pour nos alumni.]"))
                + "</p>"
            ),
        )
    )
    return blocks


def make_draft(entry: WatchEntry, user: Any) -> AlumniNewsPage:
    """The draft news item of ``entry`` (see the module's docstring); the entry is kept."""
    if not associations_for(user).filter(site_id=entry.site_id).exists():
        raise PermissionDenied
    if entry.draft_id and Page.objects.filter(pk=entry.draft_id).exists():
        raise DraftError(_("Cette entrée a déjà son brouillon."))
    index = news_index(entry.site)
    if not index.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    summary = shorten(
        _("D'après %(source)s : %(summary)s") % {"source": credit(entry), "summary": entry.summary}
        if entry.summary
        else _("D'après %(source)s.") % {"source": credit(entry)},
        SUMMARY_LIMIT,
    )
    with transaction.atomic():
        page = AlumniNewsPage(
            title=shorten(entry.title, 255),
            slug=free_slug(index, entry.title),
            summary=summary,
            body=body_of(entry),
            live=False,
            owner=user,
        )
        index.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        WatchEntry.objects.filter(pk=entry.pk).update(
            draft=page,
            state=WatchEntry.State.KEPT,
            kept_for=WatchEntry.KeptFor.DRAFT,
            decided_at=timezone.now(),
            decided_by=user,
        )
    return page
