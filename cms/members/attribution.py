"""What brought a person to the sign-up form: first and last touch.

A *touch* is the attribution of one opening of the form: the ``utm_*`` parameters, the item the
person came from, the referring network and host, and the day. It is read from the form's own
address — the site's "Adhérer / Join" links carry ``?item=<section>/<slug>``, and on the landing
page a few lines of script forward that page's ``utm_*`` and referring host — and, failing that,
from the ``Referer`` when it is a page of the site.

- **Last touch**: the opening of the form that led to the sign-up.
- **First touch**: the first opening of the form, kept across visits in a first-party cookie
  on the CMS, scoped to the sign-up page's path only, set only when someone opens the form, and
  deleted once the sign-up is made. It holds the touch itself (source, campaign, item, day),
  signed so that it cannot be forged, and *no identifier*: everyone who arrived the same way on
  the same day has the same cookie, so it can follow no one. It serves the sign-up the person
  started themselves and nothing else (set ``RELAIS_SIGNUP_FIRST_TOUCH_COOKIE=0`` to go without
  it: the first touch is then the opening of the form that was submitted).

Both touches travel with the form as signed hidden fields, so that a submission that fails
validation, or is posted to an address without query string, keeps its attribution.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cms.audience.counting import external_host, utm_of
from cms.audience.sources import clean_value, host_of, network_for, utm_value
from relais.sections import SECTIONS

COOKIE = "relais_adhesion_origine"
SALT = "relais.members.touch"
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")


@dataclass(frozen=True)
class Touch:
    network: str = ""
    source: str = ""
    medium: str = ""
    campaign: str = ""
    content: str = ""
    item: str = ""
    referrer: str = ""  # host only, never the full address
    day: str = ""  # ISO date

    def fields_for(self, prefix: str) -> dict[str, Any]:
        """The model fields of this touch (``first_``/``last_`` + name)."""
        values: dict[str, Any] = {f"{prefix}_{k}": v for k, v in asdict(self).items() if k != "day"}
        values[f"{prefix}_day"] = dt.date.fromisoformat(self.day) if self.day else None
        return values


def item_key(value: str | None) -> str:
    """``<section>/<slug>`` if ``value`` names an item of a known section, else ``""``."""
    if not value:
        return ""
    section, _, slug = value.strip().strip("/").partition("/")
    slug = slug.strip("/")
    if section in SECTIONS and SLUG.match(slug) and len(slug) <= 100:
        return f"{section}/{slug}"
    return ""


def touch_from_request(request: HttpRequest, today: dt.date) -> Touch:
    """The touch of this opening of the form (see the module's docstring)."""
    params = request.GET
    referer = request.META.get("HTTP_REFERER", "")
    from_site = bool(referer) and host_of(referer) == host_of(settings.RELAIS_SITE_URL)
    utm = {k: params[k] for k in UTM_KEYS if params.get(k)}
    if not utm and from_site:
        utm = utm_of(referer)
    referrer = clean_value(params.get("ref"), 253) or external_host(referer)
    campaign, content = utm_value(utm.get("utm_campaign")), utm_value(utm.get("utm_content"))
    item = (
        item_key(params.get("item"))
        or (item_key(f"{campaign}/{content}") if campaign and content else "")
        or (item_key(urlsplit(referer).path) if from_site else "")
    )
    return Touch(
        network=network_for(utm.get("utm_source", ""), referrer),
        source=utm_value(utm.get("utm_source")),
        medium=utm_value(utm.get("utm_medium")),
        campaign=campaign,
        content=content,
        item=item,
        referrer=referrer,
        day=today.isoformat(),
    )


def sign(touch: Touch) -> str:
    payload = json.dumps(asdict(touch), separators=(",", ":"), sort_keys=True)
    return signing.Signer(salt=SALT).sign(signing.b64_encode(payload.encode()).decode())


def unsign(value: str | None) -> Touch | None:
    """The touch of a signed value, ``None`` if it is missing, forged or malformed."""
    if not value:
        return None
    try:
        raw = signing.Signer(salt=SALT).unsign(value)
        data = json.loads(signing.b64_decode(raw.encode()))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    known = {f.name for f in fields(Touch)}
    if not isinstance(data, dict) or set(data) - known:
        return None
    return Touch(**{k: str(v) for k, v in data.items()})


def first_touch_cookie(request: HttpRequest) -> Touch | None:
    if not settings.RELAIS_SIGNUP_FIRST_TOUCH_COOKIE:
        return None
    touch = unsign(request.COOKIES.get(COOKIE))
    if touch is None:
        return None
    try:
        age = timezone.localdate() - dt.date.fromisoformat(touch.day)
    except ValueError:
        return None
    return None if age.days > settings.RELAIS_SIGNUP_FIRST_TOUCH_DAYS else touch


def remember_first_touch(
    response: HttpResponse, request: HttpRequest, touch: Touch, path: str
) -> None:
    if settings.RELAIS_SIGNUP_FIRST_TOUCH_COOKIE:
        response.set_cookie(
            COOKIE,
            sign(touch),
            max_age=settings.RELAIS_SIGNUP_FIRST_TOUCH_DAYS * 86400,
            path=path,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )


def forget_first_touch(response: HttpResponse, path: str) -> None:
    response.delete_cookie(COOKIE, path=path, samesite="Lax")
