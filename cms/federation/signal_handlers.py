"""Every site is an association: a site made in Wagtail's Paramètres → Sites gets its row."""

from __future__ import annotations

from typing import Any

from wagtail.models import Site

from .models import Association


def on_site_saved(sender: Any, instance: Site, created: bool = False, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        Association.for_site(instance)
