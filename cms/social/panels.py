"""The read-only part of an item's Social tab: what was posted where, with links and Retry."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin.panels import Panel

from .models import Delivery


class SocialDeliveriesPanel(Panel):
    """The ledger of the item being edited (every round), and the way to its own page."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "social/panels/deliveries.html"

        @cached_property
        def deliveries(self) -> list[Any]:
            if not self.instance.pk:
                return []
            return list(
                Delivery.objects.filter(page_id=self.instance.pk)
                .select_related("account")
                .order_by("-round", "account__network", "pk")
            )

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            context["deliveries"] = self.deliveries
            context["page_ledger_url"] = (
                reverse("social_page_deliveries", args=[self.instance.pk])
                if self.instance.pk
                else ""
            )
            return context
