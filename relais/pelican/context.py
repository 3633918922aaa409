"""What the theme needs beyond Pelican's context: sections, upcoming events, dates in the site's
language, structured data (JSON-LD, Open Graph) and the call to join the association.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_time
from markupsafe import Markup
from pelican import signals

from relais.contentfile import SITE_TIMEZONE
from relais.sections import SECTIONS


def build_now(settings: dict[str, Any]) -> dt.datetime:
    """What this build calls "now": ``BUILD_NOW`` if set (reproducible builds), else the clock."""
    value = settings.get("BUILD_NOW")
    if value:
        parsed = dt.datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=SITE_TIMEZONE)
    return dt.datetime.now(SITE_TIMEZONE)


def local_date(value: dt.datetime | dt.date, fmt: str = "long", lang: str = "fr") -> str:
    """A date as the site's language writes it (Babel): "20 novembre 2026", "November 20,
    2026"; ``fmt="event"`` adds the weekday and the time."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(SITE_TIMEZONE)
        if fmt == "event":  # "samedi 12 décembre 2026, 19:00"
            day = format_date(value.date(), format="full", locale=lang)
            return f"{day}, {format_time(value, 'HH:mm', locale=lang)}"
        value = value.date()
    return format_date(value, format=fmt, locale=lang)


def canonical_url(article: Any, siteurl: str) -> str:
    return article.relais.canonical_url or f"{siteurl}/{article.url}"


def signup_url(site: Any, article: Any | None = None) -> str:
    """The sign-up page, told which item the reader came from (for attribution of sign-ups)."""
    if not site.signup_url:
        return ""
    if article is None:
        return site.signup_url
    sep = "&" if "?" in site.signup_url else "?"
    return site.signup_url + sep + urlencode({"item": f"{article.category.slug}/{article.slug}"})


def article_jsonld(article: Any, siteurl: str, site: Any) -> dict[str, Any]:
    """schema.org ``Article`` (``Event`` for events) as JSON-LD data."""
    item = article.relais
    url = canonical_url(article, siteurl)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": item.title[:110],
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": item.date.isoformat(),
        "dateModified": (item.modified or item.date).isoformat(),
        "inLanguage": item.lang,
        "articleSection": SECTIONS[item.section].label(site.lang),
        "publisher": {"@type": "Organization", "name": site.name, "url": siteurl + "/"},
    }
    if item.summary:
        data["description"] = item.summary
    if article.social_image_url:
        data["image"] = [article.social_image_url]
    if item.contributors:
        data["author"] = [{"@type": "Person", "name": name} for name in item.contributors]
    else:
        data["author"] = {"@type": "Organization", "name": site.name}
    if item.tags:
        data["keywords"] = ", ".join(item.tags)
    if item.event:
        event: dict[str, Any] = {
            "@type": "Event",
            "name": item.title,
            "startDate": item.event.start.isoformat(),
            "url": url,
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        }
        if item.event.end:
            event["endDate"] = item.event.end.isoformat()
        if item.event.location:
            event["location"] = {
                "@type": "Place",
                "name": item.event.location,
                "address": item.event.location,
            }
        if item.event.organiser:
            event["organizer"] = {"@type": "Organization", "name": item.event.organiser}
        data["about"] = event
    return data


def add_context(generator: Any) -> None:
    generator.context.update(SECTIONS=SECTIONS, SITE=generator.settings["SITE_CONFIG"])


def card_renderer(env: Any, settings: dict[str, Any]) -> Any:
    """``card_html(article, heading)``: an article's card, rendered once per article object and
    heading level. An article appears on a dozen listing pages; a changed article is a new
    object, so its cards are rendered again. A card of an item in another language than the
    site's says so (``lang``)."""
    template = None

    def card_html(article: Any, heading: str = "h3") -> Markup:
        nonlocal template
        cards = article.__dict__.setdefault("_relais_cards", {})
        html = cards.get(heading)
        if html is None:
            template = template or env.get_template("_card.html")
            rendered = template.render(
                article=article,
                heading=heading,
                SITEURL=settings["SITEURL"],
                SECTIONS=SECTIONS,
                DEFAULT_LANG=settings["DEFAULT_LANG"],
            )
            html = cards[heading] = Markup(rendered)  # noqa: S704 - the template autoescapes
        return html

    return card_html


def add_jinja_helpers(generator: Any) -> None:
    env = generator.env
    lang = generator.settings.get("DEFAULT_LANG") or "fr"
    env.filters.update(local_date=functools.partial(local_date, lang=lang))
    env.globals.update(
        canonical_url=canonical_url,
        signup_url=signup_url,
        article_jsonld=article_jsonld,
        card_html=card_renderer(env, generator.settings),
        SECTIONS=SECTIONS,
    )


def register() -> None:
    signals.generator_init.connect(add_jinja_helpers)
    signals.article_generator_finalized.connect(add_context)
