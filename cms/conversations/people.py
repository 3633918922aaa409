"""Who works on an association's conversations: the people it may assign a message to, and
the moderators told every day of what is new."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from wagtail.models import Site

from cms.federation.models import Association


def people_of(site: Site | int) -> QuerySet[Any]:
    """The active people of the association of ``site``: those in its groups, and the
    superusers; on an installation with a single association, everyone who may use the admin."""
    users = get_user_model().objects.filter(is_active=True)
    association = Association.for_site(site)
    match = Q(is_superuser=True) | Q(groups__in=association.groups)
    if Association.objects.count() <= 1:
        match |= Q(groups__permissions__codename="access_admin")
        match |= Q(user_permissions__codename="access_admin")
    return users.filter(match).distinct().order_by("first_name", "last_name", "username")


def moderators_of(site: Site | int) -> QuerySet[Any]:
    """Who is told of the association's new messages: its moderators and administrators
    (without such groups, the people of :func:`people_of` who are superusers)."""
    association = Association.for_site(site)
    groups = [g for g in (association.moderators, association.administrators) if g is not None]
    users = get_user_model().objects.filter(is_active=True)
    if groups:
        return users.filter(groups__in=groups).distinct().order_by("username")
    return users.filter(is_superuser=True).order_by("username")


def display_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()
