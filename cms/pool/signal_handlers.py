"""The pool follows Wagtail's page lifecycle: publishing a shared item makes its offers, and
publishing it again tells the associations that adopted it."""

from __future__ import annotations

from typing import Any

from wagtail.signals import page_published

from cms.content.models import ItemPage

from .sharing import make_offers, original_changed


def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    # page_published also fires when a page is scheduled (not live yet): offers wait for it
    if not isinstance(instance, ItemPage) or not instance.live:
        return
    original_changed(instance)
    make_offers(instance)


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="relais-pool-offers")
