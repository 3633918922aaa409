"""The archive of past digests on the association's static site: one page,
``content/pages/lettres.md`` (``/lettres/``, listed with the site's other pages in the footer),
the letters sent (to one subscriber at least), newest first, each with its subject, its date
and its items (title linked to the item on the site, standfirst).

Nothing personal goes there: the page is made from what every subscriber received alike (the
subject and the items' cards), never from a delivery; the links lose the newsletter's ``utm_*``
(a visit from the archive is a visit from the site, not from the e-mail). The worker's clock
puts each sent digest there (:func:`archive_sent`); switching the archive off in the letter's
settings removes the page.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cms.core.models import AssociationSettings
from cms.publishing.export import write_generated_page
from cms.publishing.tasks import build_site_task
from relais.contentfile import StaticPage
from relais.html import html_to_markdown

from .models import Digest, DigestDelivery, NewsletterSettings

SLUG = "lettres"  # one of cms.core.pages.GENERATED_PAGES


def without_utm(url: str) -> str:
    """``url`` without its ``utm_*`` parameters (the other ones are kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not k.startswith("utm_")]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def archive_page(site_id: int, digests: list[Digest]) -> StaticPage:
    """The archive page of the letters ``digests`` (newest first), in the site's language."""
    lang = AssociationSettings.for_site(site_id).to_site_config().lang
    with translation.override(lang):
        letters = [
            {
                "subject": d.subject,
                "sent_on": timezone.localdate(d.sent_at or d.created_at),
                "items": [
                    {
                        "title": c.get("title", ""),
                        "url": without_utm(c.get("url", "")),
                        "summary": c.get("summary", ""),
                    }
                    for c in d.items
                    if c.get("url")
                ],
            }
            for d in digests
        ]
        html = render_to_string("newsletter/archive.html", {"letters": letters})
        return StaticPage(
            title=_("Lettres d'information"),
            slug=SLUG,
            summary=_("Les lettres envoyées par e-mail, de la plus récente à la plus ancienne."),
            body=html_to_markdown(html),
        )


def update_archive(site_id: int) -> bool:
    """Write the archive page of the association as its sent letters and settings make it (or
    remove it); when the page changed, a build of the site follows the transaction."""
    config = NewsletterSettings.for_site(site_id)
    digests = []
    if config.archive_on_site:
        digests = list(
            Digest.objects.filter(
                site_id=site_id,
                status=Digest.Status.SENT,
                deliveries__state=DigestDelivery.State.SENT,
            )
            .distinct()
            .order_by("-sent_at", "-pk")
        )
    page = archive_page(site_id, digests) if digests else None
    changed = write_generated_page(site_id, SLUG, page)
    if changed:
        transaction.on_commit(
            lambda: build_site_task.enqueue(site_id, "archive des lettres d'information")
        )
    return changed


def archive_sent() -> list[int]:
    """Put the letters sent since the last look on their sites; returns the sites whose
    archive page changed."""
    pending = Digest.objects.filter(status=Digest.Status.SENT, archived_at__isnull=True)
    by_site: dict[int, list[int]] = {}
    for pk, site_id in pending.values_list("pk", "site_id"):
        by_site.setdefault(site_id, []).append(pk)
    changed = []
    for site_id, pks in sorted(by_site.items()):
        with transaction.atomic():
            if update_archive(site_id):
                changed.append(site_id)
            Digest.objects.filter(pk__in=pks).update(archived_at=timezone.now())
    return changed
