"""The sectors of activity are the federation's: its administrators keep the list (a
superuser, or a member of the federation's administrators' group), everyone else only reads
it (to choose an association's sectors, or the sectors an item is shared with)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy

from cms.federation.models import Association
from cms.federation.scope import is_federation_admin

READ = {"view"}


class SectorPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user: Any, action: str) -> bool:
        if not getattr(user, "is_active", False):
            return False
        if action in READ:
            return user.is_authenticated
        return is_federation_admin(user)

    def users_with_any_permission(self, actions: Any) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        if set(actions) <= READ:
            return users
        groups = Association.objects.filter(kind=Association.Kind.FEDERATION).values(
            "administrators"
        )
        return users.filter(Q(is_superuser=True) | Q(groups__in=groups)).distinct()
