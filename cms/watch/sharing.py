"""Sources shared by the federation and the unions with the associations below them.

A source of the federation's site, or of a union's, marked ``shared`` is read **once** per
cycle, like any source; what it gives is then stored for its owner and for every association
below it (:func:`cms.federation.tree.below`: the federation's whole tree, a union's members),
each in its own desk: its own entries, states, scores and alerts, de-duplicated against its
own stories. An association that does not want it any more mutes it (:class:`SourceMute`);
an association of another branch never receives it, nor sees it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from wagtail.models import Site

from cms.federation.models import Association
from cms.federation.tree import above, below, can_share

from .models import Source, SourceMute


def may_share(site: Site | int) -> bool:
    """Whether ``site``'s sources can be shared: the federation's and the unions' only."""
    site_id = site if isinstance(site, int) else site.pk
    association = Association.objects.filter(site_id=site_id).first()
    return association is not None and can_share(association)


def shared_with(site: Site | int) -> QuerySet[Source]:
    """The sources shared with ``site``'s association (muted ones included)."""
    site_id = site if isinstance(site, int) else site.pk
    association = Association.objects.filter(site_id=site_id).first()
    if association is None:
        return Source.objects.none()
    owners = [a.site_id for a in above(association) if can_share(a)]
    return Source.objects.filter(shared=True, site_id__in=owners)


def desk_sources(site: Site | int) -> QuerySet[Source]:
    """The sources whose entries reach ``site``'s desk: its own, and those shared with it."""
    site_id = site if isinstance(site, int) else site.pk
    shared = shared_with(site_id).values("pk")
    return Source.objects.filter(Q(site_id=site_id) | Q(pk__in=shared))


def receivers(source: Source, members: dict[int, list[int]] | None = None) -> list[int]:
    """The sites that store ``source``'s entries: its own, and for a shared source of the
    federation or a union every site below it that did not mute it. ``members`` caches the
    sites below each owner over one cycle."""
    if not source.shared:
        return [source.site_id]
    members = {} if members is None else members
    if source.site_id not in members:
        owner = Association.objects.filter(site_id=source.site_id).first()
        members[source.site_id] = (
            [a.site_id for a in below(owner)] if owner is not None and can_share(owner) else []
        )
    muted = set(SourceMute.objects.filter(source=source).values_list("site_id", flat=True))
    return [source.site_id, *(s for s in members[source.site_id] if s not in muted)]


def mute(source: Source, site: Site) -> None:
    SourceMute.objects.get_or_create(source=source, site=site)


def unmute(source: Source, site: Site) -> None:
    SourceMute.objects.filter(source=source, site=site).delete()


def muted_ids(site: Site | int) -> set[int]:
    site_id = site if isinstance(site, int) else site.pk
    return set(SourceMute.objects.filter(site_id=site_id).values_list("source_id", flat=True))
