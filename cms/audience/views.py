"""The counter: a 1×1 image every page of an association's static site loads from the CMS.

``GET /c/p.gif?p=/actualites/x/[&utm_source=…&utm_medium=…&utm_campaign=…][&ref=host]``

Each association's site has its own address (``Association.counter_url``, written into its
``site.yaml``): ``/c/p.gif`` for the installation's first association (the address its pages
always loaded), ``/c/<identifier>/p.gif`` for the others. A view is counted for the association
the address names, on its own site's pages; an unknown identifier counts nothing.

- ``p``: the page's path on its site, written into the page at build time. Without it, the path
  of the ``Referer`` is used when the referrer is the site itself (under the site's address).
- ``utm_*`` and ``ref`` (the referring host): added by the page's few lines of script from its
  own address and ``document.referrer``; only the values the rules of
  :mod:`cms.audience.sources` keep are stored. Without JavaScript the ``<noscript>`` image is loaded
  instead, with ``referrerpolicy="no-referrer-when-downgrade"`` so that its ``Referer`` is the
  full page address, ``utm_*`` included; the counter reads them there.

The answer is always the same image, with no cookie and ``Cache-Control: no-store``. Nothing of
the request is kept but one more unit on an aggregated row (see :mod:`cms.audience.models`).
A client address counts at most ``RELAIS_COUNTER_RATE_LIMIT`` views per window (counted under a
keyed hash of the address, see :mod:`cms.core.ratelimit`): beyond, the image is still served
and nothing is counted, so a script cannot inflate a page.
"""

from __future__ import annotations

import base64
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cms.core import ratelimit
from cms.federation.models import Association

from .counting import (
    Hit,
    clean_path,
    external_host,
    hit_from,
    is_bot,
    is_page,
    record,
    utm_of,
)
from .models import PageViewCount
from .signals import visit_counted
from .sources import host_of

logger = logging.getLogger(__name__)

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ", "HTTP_X_PURPOSE")


def pixel_response() -> HttpResponse:
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def path_on_site(url: str, site_url: str) -> str | None:
    """The path of ``url`` on the site at ``site_url`` (which may have a path of its own, as an
    association served at ``RELAIS_SITE_URL/<folder>``); ``None`` when ``url`` is elsewhere."""
    if not url or host_of(url) != host_of(site_url):
        return None
    base = urlsplit(site_url).path.rstrip("/")
    path = urlsplit(url).path
    if base and not (path == base or path.startswith(base + "/")):
        return None
    return path[len(base) :] or "/"


def counted_hit(request: HttpRequest, association: Association) -> Hit | None:
    """The hit this request stands for on ``association``'s site, or ``None`` if it must not
    be counted."""
    if request.method != "GET" or is_bot(request.META.get("HTTP_USER_AGENT")):
        return None
    if any("prefetch" in request.META.get(h, "").lower() for h in PREFETCH_HEADERS):
        return None
    referer = request.META.get("HTTP_REFERER", "")
    on_site = path_on_site(referer, association.public_url)
    from_site = on_site is not None
    path = clean_path(request.GET.get("p"))
    if not path and from_site:
        path = clean_path(on_site)
    if not path or not is_page(path, association.output_dir):
        return None
    if not ratelimit.allow(
        "counter", ratelimit.client_ip(request), *settings.RELAIS_COUNTER_RATE_LIMIT
    ):
        return None
    utm = {k: v for k, v in request.GET.items() if k.startswith("utm_")}
    if not utm and from_site:
        utm = utm_of(referer)  # the <noscript> image: the page address came as the referrer
    ref = request.GET.get("ref")
    referrer_host = external_host("https://" + ref, association.public_url) if ref else ""
    return hit_from(path, utm, referrer_host)


@require_safe
@never_cache
def pixel(request: HttpRequest, slug: str = "") -> HttpResponse:
    """The image, and one more view of the page on the site of the association that ``slug``
    names (none: the installation's first association)."""
    found = Association.objects.select_related("site")
    association = found.filter(slug=slug).first() if slug else found.filter(folder="").first()
    hit = counted_hit(request, association) if association is not None else None
    if hit is not None:
        try:
            record(hit, timezone.localdate(), site=association.site)
            utm = {k: v for k, v in request.GET.items() if k.startswith("utm_")}
            referer = request.META.get("HTTP_REFERER", "")
            if not utm and path_on_site(referer, association.public_url) is not None:
                utm = utm_of(referer)  # the <noscript> image, as in counted_hit
            visit_counted.send(
                sender=PageViewCount,
                site=association.site,
                hit=hit,
                utm=utm,
                day=timezone.localdate(),
            )
        except Exception:  # counting must never break a page of the site
            logger.exception("Audience counter: could not record %s", hit)
    return pixel_response()
