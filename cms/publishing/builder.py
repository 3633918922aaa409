"""The worker's warm site builders: one per association's site, the most recently used ones
kept warm.

The first build of a site in a process is a full one (or adopts the live site); later ones
publish only what changed (:class:`relais.incremental.SiteBuilder`). The changes come from
:class:`ContentChange` rows that the export phase writes, so coalesced build requests lose
nothing. A warm builder holds its whole site in memory: a federation of many associations keeps
only the ``RELAIS_WARM_BUILDERS`` most recently used ones, the others adopt their live site
again when they next publish (without the items added since, which the update then publishes:
a pooled copy adopted by a hundred associations costs each site an adoption and an update, not
a full build). A site with a deploy target (:mod:`cms.publishing.deploy`) is
copied to object storage by its builder after each publication.

Each warm builder has a name, unique across workers: a build writes it into the site's build
lease (:mod:`.lease`) before it starts, so a builder that finds another name there knows that
another worker built the site since, and adopts the live site again.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from django.conf import settings
from django.db.models import Max
from wagtail.models import Site

from cms.federation.models import Association
from relais.buildconfig import SitePaths
from relais.incremental import SiteBuilder

from .deploy import deployer
from .models import BuildRecord, SiteRef
from .workers import HOST

_lock = threading.Lock()
_builders: OrderedDict[int, tuple[tuple, SiteBuilder, str]] = OrderedDict()


def site_paths(site: SiteRef) -> SitePaths:
    return Association.for_site(site).paths


def warm_builders() -> int:
    return max(1, int(getattr(settings, "RELAIS_WARM_BUILDERS", 8)))


def site_builder(site: SiteRef) -> SiteBuilder:
    """The warm builder of ``site`` (made again when its folders, address or deploy target
    changed)."""
    return warm_builder(site)[0]


def warm_builder(site: SiteRef) -> tuple[SiteBuilder, str]:
    """The warm builder of ``site`` and its name (a new builder has a new name)."""
    association = Association.for_site(site)
    paths, url = association.paths, association.public_url
    deployed_by, deploy = deployer(association)
    key = (paths, url, deployed_by)
    site_id = association.site_id
    with _lock:
        known = _builders.get(site_id)
        if known is None or known[0] != key:
            name = f"{HOST[:30]}-{secrets.token_hex(8)}"
            known = (key, SiteBuilder(paths, deploy=deploy, SITEURL=url), name)
        _builders[site_id] = known
        _builders.move_to_end(site_id)
        while len(_builders) > warm_builders():
            _builders.popitem(last=False)
        return known[1], known[2]


def all_sites() -> list[Site]:
    """Every association's site."""
    return list(Site.objects.order_by("-is_default_site", "pk"))


def recently_built_sites(limit: int) -> list[Site]:
    """The sites whose last build is the most recent (then those never built), ``limit`` of
    them: the ones worth keeping warm."""
    recent = (
        BuildRecord.objects.values("site_id")
        .annotate(last=Max("started_at"))
        .order_by("-last")
        .values_list("site_id", flat=True)[:limit]
    )
    order = list(recent)
    sites = {s.pk: s for s in all_sites()}
    chosen = [sites[pk] for pk in order if pk in sites]
    chosen += [s for pk, s in sites.items() if pk not in order]
    return chosen[:limit]
