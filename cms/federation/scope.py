"""Who works on which association's site: every admin view, queryset and export goes through
these functions, so that an association's people see their own association and nothing else.

- A **superuser**, or a member of the administrators' group of the *federation*, sees every
  association (the federation administrators).
- Anyone else sees the associations in whose groups (administrators, editors, moderators) they
  are.
- An installation with a single association is that association's: everyone who may use the
  admin works on it (as before the federation existed).

Views take the site to show from ``?site=<id>`` among those, else the one chosen last
(remembered in the session), else the first.

What belongs to a site is found by a path to it: a model's rows by the field that names their
site (:func:`in_scope`, e.g. ``account__site`` for a post of the ledger), pages by their place
in the tree, under the site's home page (:func:`pages_in_scope`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import Collection, Page, Site

from .models import Association

SESSION_KEY = "relais_site"


def is_federation_admin(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return Association.objects.filter(
        kind=Association.Kind.FEDERATION, administrators__user=user
    ).exists()


def associations_for(user: Any) -> QuerySet[Association]:
    """The associations ``user`` works on."""
    everything = Association.objects.select_related("site")
    if not getattr(user, "is_authenticated", False):
        return everything.none()
    if is_federation_admin(user) or everything.count() <= 1:
        return everything
    return everything.filter(
        Q(administrators__user=user) | Q(editors__user=user) | Q(moderators__user=user)
    ).distinct()


def sites_for(user: Any) -> QuerySet[Site]:
    return Site.objects.filter(association__in=associations_for(user)).order_by(
        "-is_default_site", "site_name", "pk"
    )


def site_ids_for(user: Any) -> list[int]:
    return list(associations_for(user).values_list("site_id", flat=True))


def can_manage(user: Any, site: Site | int) -> bool:
    """Whether ``user`` administers the association of ``site`` (its accounts, settings and
    people): federation administrators, the association's administrators, and everyone who may
    use the admin of an installation with a single association."""
    if is_federation_admin(user):
        return True
    site_id = site if isinstance(site, int) else site.pk
    association = Association.objects.filter(site_id=site_id).first()
    if association is None or site_id not in site_ids_for(user):
        return False
    if Association.objects.count() <= 1:
        return True
    return (
        association.administrators_id is not None
        and user.groups.filter(pk=association.administrators_id).exists()
    )


def managed_sites_for(user: Any) -> QuerySet[Site]:
    """The sites whose association ``user`` administers (:func:`can_manage`)."""
    sites = sites_for(user)
    return sites.filter(pk__in=[s.pk for s in sites if can_manage(user, s)])


def chosen_site(
    request: HttpRequest, param: str = "site", among: QuerySet[Site] | None = None
) -> Site:
    """The site a view shows: ``?site=`` (or a POSTed ``site``) if the user works on it, else
    the one they chose last, else their first. A site of another association is refused.
    ``among``: the sites to choose from, when the view is for fewer than all the user's (those
    they manage, :func:`managed_sites_for`)."""
    allowed = sites_for(request.user) if among is None else among
    wanted = request.GET.get(param) or request.POST.get(param)
    if wanted:
        try:
            site = allowed.get(pk=int(wanted))
        except (ValueError, Site.DoesNotExist):
            raise PermissionDenied from None
        request.session[SESSION_KEY] = site.pk
        return site
    remembered = request.session.get(SESSION_KEY)
    site = allowed.filter(pk=remembered).first() if remembered else None
    site = site or allowed.first()
    if site is None:
        raise PermissionDenied
    return site


def in_scope(queryset: QuerySet, user: Any, field: str = "site") -> QuerySet:
    """``queryset`` reduced to the rows of the user's associations (``field``: the path to the
    row's site, e.g. ``account__site``)."""
    return queryset.filter(**{f"{field}__in": site_ids_for(user)})


def sees_everything(user: Any) -> bool:
    """Whether nothing is hidden from ``user``: a federation administrator, or anyone on an
    installation with a single association."""
    return is_federation_admin(user) or (
        getattr(user, "is_authenticated", False) and Association.objects.count() <= 1
    )


def pages_in_scope(queryset: QuerySet, user: Any, field: str = "") -> QuerySet:
    """``queryset`` (of pages, or of rows whose ``field`` is a page) reduced to the pages
    under the home pages of the user's sites."""
    if sees_everything(user):
        return queryset
    prefix = f"{field}__" if field else ""
    roots = Site.objects.filter(pk__in=site_ids_for(user)).values_list("root_page__path", flat=True)
    match = Q(pk__in=[])
    for path in roots:
        match |= Q(**{f"{prefix}path__startswith": path})
    return queryset.filter(match)


def collections_for(user: Any) -> QuerySet[Collection] | None:
    """The collections of the user's associations (each one's own, and any other its groups
    were given rights on) and those under them; ``None`` when every collection is the user's
    (:func:`sees_everything`)."""
    if sees_everything(user):
        return None
    associations = associations_for(user)
    groups = [
        pk
        for row in associations.values_list("administrators", "editors", "moderators")
        for pk in row
        if pk is not None
    ]
    roots = Collection.objects.filter(
        Q(pk__in=associations.exclude(collection=None).values("collection"))
        | Q(group_permissions__group__in=groups)
    ).distinct()
    match = Q(pk__in=[])
    for root in roots:
        match |= Q(path__startswith=root.path)
    return Collection.objects.filter(match)


def scoped_objects(model: type[Model], user: Any) -> QuerySet | None:
    """The rows of ``model`` that belong to the user's associations, by the one rule of each
    kind of row: pages under their sites' home pages, rows of a model with a ``site_path``
    (the path from the row to its site, e.g. ``"account__site"``) on their sites, their
    collections and the images and documents in them. ``None`` for a model that belongs to no
    association (the installation's users, groups, sites…)."""
    rows = model._default_manager.all()
    if issubclass(model, Page):
        return pages_in_scope(rows, user)
    path = getattr(model, "site_path", None)
    if path:
        return in_scope(rows, user, path)
    if issubclass(model, (AbstractImage, AbstractDocument)):
        collections = collections_for(user)
        return rows if collections is None else rows.filter(collection__in=collections)
    if issubclass(model, Collection):
        collections = collections_for(user)
        return rows if collections is None else collections
    return None


def site_choices(sites: Iterable[Site]) -> list[tuple[int, str]]:
    return [(s.pk, s.site_name or s.hostname) for s in sites]
