"""The demo's readers: visits counted by the real counter view (``/c/p.gif``) with the links the
networks received, and sign-ups sent through the real sign-up form with their attribution —
both through Django's test client, so every check of the real views applies (robots, unknown
pages, honeypot, rate limits, signed attribution).

The views count and record *today*; the demo then moves each batch to the day it stands for:
:func:`move_visits` (``PageViewCount.day``) and :func:`date_signup` (``Signup.created_at``,
``consented_at`` and the touches' days). Nothing else is changed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.db import transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone

from cms.audience.models import PageViewCount
from cms.audience.sources import network_for, utm_value
from cms.members.models import Signup

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


class HiddenFields(HTMLParser):
    """The hidden fields of a page's forms (the signed attribution of the sign-up form)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[str(found["name"])] = found.get("value") or ""


_readers = itertools.count(1)


def reader_address() -> str:
    """A new reader's address (private range 10.0.0.0/8)."""
    n = next(_readers) % (1 << 24)
    return f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}"


def client() -> Client:
    return Client(HTTP_HOST="127.0.0.1", HTTP_USER_AGENT=BROWSER)


def landing(link: str) -> tuple[str, dict[str, str]]:
    """The page path and ``utm_*`` of a link posted on a network."""
    parts = urlsplit(link)
    utm = {k: v[0] for k, v in parse_qs(parts.query).items() if k.startswith("utm_")}
    return parts.path, utm


def visit(browser: Client, path: str, utm: dict[str, str], times: int, day: dt.date) -> int:
    """``times`` page views of ``path`` arriving with ``utm``, counted by the counter view as
    the page's script calls it, then moved to ``day``. Returns the views counted."""
    query = urlencode({"p": path, **utm})
    counted = 0
    for _ in range(times):
        # each view from its own reader: the counter limits views per address
        response = browser.get(f"/c/p.gif?{query}", REMOTE_ADDR=reader_address())
        if response.status_code != 200:
            raise RuntimeError(f"The counter answered {response.status_code} for {path}")
        counted += 1
    move_visits(path, utm, day)
    return counted


def move_visits(path: str, utm: dict[str, str], day: dt.date) -> None:
    """Move today's count of (path, network, source, medium, campaign) to ``day``."""
    today = timezone.localdate()
    if day == today:
        return
    key = {
        "path": path,
        "network": network_for(utm.get("utm_source", "")),
        "source": utm_value(utm.get("utm_source")),
        "medium": utm_value(utm.get("utm_medium")),
        "campaign": utm_value(utm.get("utm_campaign")),
        "channel": PageViewCount.Channel.PIXEL,
    }
    with transaction.atomic():
        row = PageViewCount.objects.filter(day=today, **key).first()
        if row is None:
            return
        target = PageViewCount.objects.filter(site=row.site_id, day=day, **key)
        if not target.update(views=F("views") + row.views):
            PageViewCount.objects.create(site_id=row.site_id, day=day, views=row.views, **key)
        row.delete()


def sign_up(
    signup_path: str, person: dict[str, Any], query: dict[str, str], address: str
) -> Signup:
    """Open the sign-up form as the site's Join link does (``?item=…`` and the landing page's
    ``utm_*``), then send it filled in, from ``address``."""
    browser = Client(HTTP_HOST="127.0.0.1", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)
    url = f"{signup_path}?{urlencode(query)}" if query else signup_path
    page = browser.get(url)
    if page.status_code != 200:
        raise RuntimeError(f"The sign-up page answered {page.status_code}")
    fields = HiddenFields()
    fields.feed(page.content.decode())
    data: dict[str, Any] = dict(fields.values)
    data.update(
        {
            "name": person["name"],
            "email": person["email"],
            "school": person["school"],
            "class_year": str(person["class_year"]),
            "wishes": person["wishes"],
            "consent": "on",
            "site_web": "",
        }
    )
    before = Signup.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = browser.post(signup_path, data)
    signup = Signup.objects.filter(pk__gt=before, email=person["email"]).first()
    if response.status_code != 200 or signup is None:
        raise RuntimeError(f"The sign-up form refused the demo sign-up ({response.status_code})")
    return signup


def date_signup(signup: Signup, when: dt.datetime) -> None:
    """Date a sign-up (and its touches) back to ``when``."""
    day = timezone.localdate(when)
    Signup.objects.filter(pk=signup.pk).update(
        created_at=when,
        consented_at=when,
        last_day=day if signup.last_day else None,
        first_day=day if signup.first_day else None,
    )
