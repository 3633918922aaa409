"""Every site is an association: a site made in Wagtail's Paramètres → Sites gets its row, and
once the installation has several, each association gets its groups, collection and rights
(:func:`cms.federation.roles.provision_federation`)."""

from __future__ import annotations

from typing import Any

from wagtail.models import Site

from .models import Association
from .roles import provision_federation


def on_site_saved(sender: Any, instance: Site, created: bool = False, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        Association.for_site(instance)
        provision_federation()
