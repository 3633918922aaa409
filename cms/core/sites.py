"""The CMS's own address, and the Wagtail ``Site`` record that must agree with it.

Everything the CMS serves to the public (the sign-up page, the counter, documents) is linked
from the static site with an absolute address. Wagtail builds those addresses from the ``Site``
record (``hostname`` and ``port``); Wagtail's first migration seeds that record with
``localhost`` and port 80, where nothing listens. ``RELAIS_CMS_URL`` (Django setting
``WAGTAILADMIN_BASE_URL``) is the one place an installation says where its CMS answers: the
default site follows it, every time the database is migrated (``make run`` migrates at each
start) and when a worker starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from wagtail.models import Site

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Address:
    """Where a site answers: what Wagtail's ``Site`` keeps of a base URL."""

    hostname: str
    port: int

    @classmethod
    def of(cls, url: str) -> Address:
        """The host and port of ``url`` (``https://cms.example.org`` → port 443)."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError(
                f"RELAIS_CMS_URL={url!r} is not an http(s) address: set it to the address the "
                "admin answers at, for example https://cms.alumni.example.org."
            )
        if parts.path.strip("/"):
            raise ValueError(
                f"RELAIS_CMS_URL={url!r} has a path: Relais must be served at the root of its "
                "address (use a sub-domain, for example https://cms.alumni.example.org)."
            )
        return cls(parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme])


def cms_address() -> Address:
    return Address.of(settings.WAGTAILADMIN_BASE_URL)


def sync_default_site() -> Site | None:
    """Give the default site the CMS's address (``RELAIS_CMS_URL``). Returns the site when it
    changed, ``None`` when it was right already or there is no site yet."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    address = cms_address()
    if (site.hostname, site.port) == (address.hostname, address.port):
        return None
    clash = Site.objects.filter(hostname=address.hostname, port=address.port).exclude(pk=site.pk)
    if clash.exists():
        logger.warning(
            "The default site keeps %s:%s: another site already answers at %s:%s "
            "(RELAIS_CMS_URL). Give that site another address in Paramètres → Sites.",
            site.hostname,
            site.port,
            address.hostname,
            address.port,
        )
        return None
    logger.info(
        "Default site moved from %s:%s to %s:%s (RELAIS_CMS_URL)",
        site.hostname,
        site.port,
        address.hostname,
        address.port,
    )
    site.hostname, site.port = address.hostname, address.port
    site.save()  # Site.save clears Wagtail's cached site list and root paths
    return site


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    """``post_migrate``: runs after every ``migrate``, including one with nothing to apply."""
    if kwargs.get("using", "default") != "default":
        return
    sync_default_site()
