"""Permission policies of the settings an association's administrators keep: Wagtail's site
settings are edited per site, and a global permission ("change association settings") would
open every site's; here the user must also administer the site's association
(:func:`cms.federation.scope.can_manage`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy

from .scope import can_manage, managed_sites_for


class ManagedSitePermissionPolicy(SitePermissionPolicy):
    """A :class:`SitePermissionPolicy` limited to the sites the user administers."""

    def _site_id(self, instance: Any) -> int:
        return (
            instance.pk
            if isinstance(instance, Site)
            else getattr(instance, self.site_fk_field_name)
        )

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return super().user_has_any_permission(user, actions) and managed_sites_for(user).exists()

    def user_has_any_permission_for_instance(self, user: Any, actions: Any, instance: Any) -> bool:
        return super().user_has_any_permission_for_instance(user, actions, instance) and (
            can_manage(user, self._site_id(instance))
        )

    def sites_user_has_any_permission_for(self, user: Any, actions: Any) -> QuerySet[Site]:
        sites = super().sites_user_has_any_permission_for(user, actions)
        return sites.filter(pk__in=managed_sites_for(user).values("pk"))
