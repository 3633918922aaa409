"""Composing a digest, in phases: :func:`items_between` finds the items that went live on the
association's site in the period (the export ledger, :class:`ExportRecord`), :func:`card_of`
makes each a card (title, standfirst, picture, link with the newsletter's ``utm_*``), and
:func:`compose` renders the HTML and plain-text parts and stores the :class:`Digest`.

The unsubscribe link differs for every subscriber: the stored parts carry
:data:`UNSUBSCRIBE_PLACEHOLDER`, replaced at sending time (:mod:`cms.newsletter.mail`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from cms.core.models import AssociationSettings
from cms.federation.models import Association
from cms.publishing.models import ExportRecord
from relais.french import interpolate
from relais.pelican.images import SOCIAL_NAME
from syndication.text import with_utm

from .models import Digest

UNSUBSCRIBE_PLACEHOLDER = "%%RELAIS_UNSUBSCRIBE_URL%%"


@dataclass
class Card:
    title: str
    summary: str
    url: str
    picture_url: str
    picture_alt: str


def campaign_of(day: dt.date) -> str:
    return f"digest-{day.isoformat()}"


def items_between(site: Site, start: dt.datetime, end: dt.datetime) -> list[ExportRecord]:
    """The items of ``site`` that went live for the first time in ``(start, end]`` and are
    still on the site, oldest first."""
    return list(
        ExportRecord.objects.filter(
            site=site,
            withdrawn=False,
            first_live_at__gt=start,
            first_live_at__lte=end,
        )
        .exclude(url="")
        .order_by("first_live_at", "pk")
    )


def card_of(record: ExportRecord, campaign: str, site_url: str) -> Card:
    """An item as the digest shows it, from its static site (``site_url``): the picture is the
    item's link-card picture the export put beside it; the link carries
    ``utm_source=newsletter``, ``utm_medium=email`` and the digest's campaign, so the visits it
    brings are counted."""
    page = Page.objects.filter(pk=record.page_id).specific().first()
    summary = getattr(page, "summary", "") or ""
    picture_url = picture_alt = ""
    if getattr(page, "hero_image_id", None) and record.assets_dir:
        picture_url = f"{site_url}/{record.assets_dir}/{SOCIAL_NAME}"
        picture_alt = getattr(page, "hero_alt", "") or ""
    slug = record.url.rstrip("/").rsplit("/", 1)[-1]
    link = with_utm(
        record.url, source="newsletter", medium="email", campaign=campaign, content=slug
    )
    return Card(record.title, summary, link, picture_url, picture_alt)


def subject_for(site: Site, kind: str, cards: list[Card]) -> str:
    name = AssociationSettings.for_site(site).name or site.site_name
    if kind == Digest.Kind.URGENT and len(cards) == 1:
        return interpolate(
            _("%(association)s : %(title)s"), {"association": name, "title": cards[0].title}
        )
    return interpolate(
        _("Les nouvelles de %(association)s — %(date)s"),
        {"association": name, "date": timezone.localdate().strftime("%d/%m/%Y")},
    )


def compose(
    site: Site,
    start: dt.datetime,
    end: dt.datetime,
    kind: str = Digest.Kind.SCHEDULED,
    records: list[ExportRecord] | None = None,
) -> Digest | None:
    """Store the digest of ``site`` for the period (or of ``records``, for an urgent item);
    ``None`` when there is nothing to tell."""
    records = items_between(site, start, end) if records is None else records
    if not records:
        return None
    campaign = campaign_of(timezone.localdate(end))
    association = Association.for_site(site)
    cards = [card_of(r, campaign, association.public_url) for r in records]
    context = {
        "association": AssociationSettings.for_site(site).name or site.site_name,
        "site_url": with_utm(
            association.public_url + "/",
            source="newsletter",
            medium="email",
            campaign=campaign,
            content="accueil",
        ),
        "cards": cards,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
    }
    return Digest.objects.create(
        site=site,
        kind=kind,
        period_start=start,
        period_end=end,
        subject=subject_for(site, kind, cards),
        html=render_to_string("newsletter/mail/digest.html", context),
        text=render_to_string("newsletter/mail/digest.txt", context),
        items=[asdict(c) for c in cards],
    )
