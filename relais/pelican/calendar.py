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
    single = _calendar(settings["SITE_CONFIG"].name)
    single.add_component(_site_timezone())
    single.add_component(event_component(article, settings["SITEURL"]))
    path = event_ics_path(article)
    target = output / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(single.to_ical())
    return path


def agenda_bytes(articles: Iterable[Any], settings: dict[str, Any]) -> bytes | None:
    """The whole agenda, or None when the site has no event."""
    events = sorted((a for a in articles if a.relais.event is not None),
                    key=lambda a: (a.relais.event.start, a.slug))
    if not events:
        return None
    agenda = _calendar(f"{settings['SITE_CONFIG'].name} — agenda")
    agenda.add_component(_site_timezone())
    for article in events:
        agenda.add_component(event_component(article, settings["SITEURL"]))
    return agenda.to_ical()


def set_ics_urls(generator: Any) -> None:
    siteurl = generator.settings["SITEURL"]
    for article in generator.articles:
        set_ics_url(article, siteurl)
    generator.context["AGENDA_URL"] = f"{siteurl}/{AGENDA_FILE}"


def register() -> None:
    signals.article_generator_finalized.connect(set_ics_urls)
