"""The item's own numbers in its editor (the "Réseaux sociaux" tab): what each post brought on
its network, the visits of the item's page and the sign-ups it led to."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from wagtail.admin.panels import Panel

from .item import item_numbers


class ItemStatsPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "stats/panels/item_stats.html"

        class Media:
            css = {"all": ["stats/stats.css"]}  # the area's table styles

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            page = self.instance
            context["numbers"] = item_numbers(page) if page.pk and page.slug else None
            site = page.get_site() if page.pk else None
            context["stats_url"] = reverse("stats_index") + (f"?site={site.pk}" if site else "")
            user = getattr(self.request, "user", None)
            context["can_view_stats"] = bool(user and user.has_perm("stats.view_statistics"))
            return context
