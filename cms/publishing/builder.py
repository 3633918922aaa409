"""The worker's warm site builder: one per process, rebuilt when the paths or address change.

The first build in a process is a full one; later ones publish only what changed
(:class:`relais.incremental.SiteBuilder`). The changes come from :class:`ContentChange` rows that
the export phase writes, so coalesced build requests lose nothing.
"""

from __future__ import annotations

import threading

from django.conf import settings

from relais.build import SitePaths
from relais.incremental import SiteBuilder

_lock = threading.Lock()
_builder: SiteBuilder | None = None
_key: tuple | None = None


def site_paths() -> SitePaths:
    return SitePaths.at(settings.RELAIS_CONTENT_DIR, settings.RELAIS_SITE_OUTPUT)


def site_builder() -> SiteBuilder:
    global _builder, _key
    paths = site_paths()
    key = (paths, settings.RELAIS_SITE_URL)
    with _lock:
        if _builder is None or _key != key:
            _builder = SiteBuilder(paths, SITEURL=settings.RELAIS_SITE_URL)
            _key = key
        return _builder
