"""Connect the publishing pipeline to Wagtail's page lifecycle.

Every handler enqueues on commit: a publish that rolls back must not be exported. Wagtail sends
``page_published`` twice for a scheduled page (when scheduled, not yet live; then when it goes
live): only a live page is exported.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished

from cms.content.models import InfoPage, ItemPage
from cms.core.models import AssociationSettings

from .tasks import export_page_task, export_site_config_task, withdraw_page_task

_state = threading.local()


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Publish without enqueuing exports (bulk loads that export everything once at the end)."""
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = False


def _exported_kind(instance: Any) -> bool:
    if getattr(_state, "suspended", False):
        return False
    return isinstance(instance, (ItemPage, InfoPage))


def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not _exported_kind(instance) or not instance.live:
        return
    page_id = instance.pk
    transaction.on_commit(lambda: export_page_task.enqueue(page_id))


def on_page_unpublished(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not _exported_kind(instance):
        return
    page_id = instance.pk
    transaction.on_commit(lambda: withdraw_page_task.enqueue(page_id))


def on_page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Deleting a page sends post_delete for its own class and for each parent table: react to
    # the row of the specific class only.
    if not _exported_kind(instance) or type(instance) is not instance.specific_class:
        return
    page_id = instance.pk
    transaction.on_commit(lambda: withdraw_page_task.enqueue(page_id))


def on_settings_saved(sender: Any, instance: AssociationSettings, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # a restore (manage.py relais_restore): content/ comes back as it was
    site_id = instance.site_id
    transaction.on_commit(lambda: export_site_config_task.enqueue(site_id))


def on_site_saved(sender: Any, instance: Site, **kwargs: Any) -> None:
    """The site's address is in ``site.yaml`` too (the sign-up page's address), once the
    association is set up on that site (a new database's site has nothing to export yet)."""
    if kwargs.get("raw"):
        return  # a restore: the rows it needs may not be loaded yet
    settings = AssociationSettings.objects.filter(site_id=instance.pk).first()
    if settings is not None:
        on_settings_saved(sender, settings, **kwargs)


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="relais-export-published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="relais-withdraw-unpublished")
    post_delete.connect(on_page_deleted, dispatch_uid="relais-withdraw-deleted")
    post_save.connect(
        on_settings_saved, sender=AssociationSettings, dispatch_uid="relais-export-settings"
    )
    post_save.connect(on_site_saved, sender=Site, dispatch_uid="relais-export-site-address")
