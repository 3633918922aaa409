"""iCalendar files for events: one per event page, and the whole agenda to subscribe to.

Each event page links ``evenement.ics`` (add to my calendar); ``evenements/agenda.ics`` lists
every event, so that members can subscribe once. Files depend only on content, never on the
clock, so that two builds of the same content give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from icalendar import Calendar, Event, Timezone
from pelican import signals

from relais.contentfile import SITE_TIMEZONE
from relais.pelican.i18n import site_gettext
from relais.sections import EVENTS

EVENT_FILE = "evenement.ics"
AGENDA_FILE = f"{EVENTS.key}/agenda.ics"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Relais//Agenda//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


@functools.lru_cache(maxsize=1)
def _site_timezone() -> Timezone:
    """The VTIMEZONE of the site's zone: costly to derive from zoneinfo, so made once."""
    return Timezone.from_tzid(SITE_TIMEZONE.key)


def event_component(article: Any, siteurl: str) -> Event:
    item = article.relais
    info = item.event
    host = urlparse(siteurl).hostname or "relais.invalid"
    url = item.canonical_url or f"{siteurl}/{article.url}"
    event = Event()
    event.add("uid", f"{item.section}-{item.slug}@{host}")
    event.add("dtstamp", (item.modified or item.date).astimezone(dt.UTC))
    start = info.start.astimezone(SITE_TIMEZONE)
    end = (info.end or info.start + dt.timedelta(hours=2)).astimezone(SITE_TIMEZONE)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", item.title)
    if item.summary:
        event.add("description", f"{item.summary}\n\n{url}")
    else:
        event.add("description", url)
    if info.location:
        event.add("location", info.location)
    if info.organiser:
        event.add("organizer", f"mailto:contact@{host}", parameters={"CN": info.organiser})
    event.add("url", url)
    return event


def event_ics_path(article: Any) -> str:
    return f"{article.save_as.rsplit('/', 1)[0]}/{EVENT_FILE}"


def set_ics_url(article: Any, siteurl: str) -> None:
    article.ics_url = f"{siteurl}/{event_ics_path(article)}" if article.relais.event else ""


def write_event_ics(article: Any, settings: dict[str, Any], output: Path) -> str | None:
    """Write the event's own calendar file; returns its output path."""
    if article.relais.event is None:
        return None
    path = event_ics_path(article)
    target = output / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(
        _with_events(settings["SITE_CONFIG"].name, [_event_bytes(article, settings)])
    )
    return path


def _event_bytes(article: Any, settings: dict[str, Any]) -> bytes:
    """The article's VEVENT, serialised once per article object (an event appears in its own
    file and in the agenda)."""
    cached = article.__dict__.get("_relais_vevent")
    if cached is None:
        cached = article._relais_vevent = event_component(article, settings["SITEURL"]).to_ical()
    return cached


def _with_events(name: str, events: list[bytes]) -> bytes:
    """A calendar with the site's time zone and the given serialised events, byte for byte what
    icalendar writes for the same components."""
    head = _calendar(name)
    head.add_component(_site_timezone())
    text = head.to_ical()
    end = b"END:VCALENDAR\r\n"
    return text[: -len(end)] + b"".join(events) + end


def agenda_bytes(articles: Iterable[Any], settings: dict[str, Any]) -> bytes | None:
    """The whole agenda, or None when the site has no event."""
    events = sorted(
        (a for a in articles if a.relais.event is not None),
        key=lambda a: (a.relais.event.start, a.slug),
    )
    if not events:
        return None
    _ = site_gettext(settings)
    return _with_events(
        _("%(name)s — agenda", name=settings["SITE_CONFIG"].name),
        [_event_bytes(article, settings) for article in events],
    )


def set_ics_urls(generator: Any) -> None:
    siteurl = generator.settings["SITEURL"]
    for article in generator.articles:
        set_ics_url(article, siteurl)
    generator.context["AGENDA_URL"] = f"{siteurl}/{AGENDA_FILE}"


def register() -> None:
    signals.article_generator_finalized.connect(set_ics_urls)
