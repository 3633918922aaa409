"""Every site is an association: a site made in Wagtail's Paramètres → Sites gets its row, and
once the installation has several, each association gets its groups, collection and rights
(:func:`cms.federation.roles.provision_federation`) — also at every ``migrate``, for an
installation that had several sites before the associations had their houses."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from wagtail.models import Site

from .models import Association
from .roles import provision_federation, provision_new


def on_site_saved(sender: Any, instance: Site, created: bool = False, **kwargs: Any) -> None:
    """A new site is an association; once the transaction that made it commits (a creation
    that gives the association its own groups and collection has given them by then, and they
    are kept), it is provisioned (and any association that was not yet)."""
    if created and not kwargs.get("raw"):
        Association.for_site(instance)
        transaction.on_commit(lambda: provision_new(instance.pk))


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    """``post_migrate`` is sent once per app that has models: act after the last one, once
    every app's permissions exist."""
    if kwargs.get("using", "default") != "default":
        return
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if with_models and sender is with_models[-1]:
        provision_federation()
