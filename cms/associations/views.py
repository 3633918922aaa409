"""The federation's associations in the admin: the list, and the "Nouvelle association"
screen. Federation administrators only (superusers, the federation's administrators group)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.federation.models import Association
from cms.federation.scope import is_federation_admin

from .creation import CreationError, create_association
from .forms import NewAssociationForm


class FederationAdminOnly:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_federation_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class AssociationsView(FederationAdminOnly, WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Associations")
    header_icon = "group"
    template_name = "associations/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            associations=Association.objects.select_related("site", "parent__site")
            .prefetch_related("sectors")
            .order_by("kind", "site__site_name"),
            **kwargs,
        )


class NewAssociationView(FederationAdminOnly, WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Nouvelle association")
    header_icon = "plus"
    template_name = "associations/new.html"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("relais_associations"), "label": _("Associations")},
            {"url": "", "label": _("Nouvelle association")},
        ]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=NewAssociationForm()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = NewAssociationForm(request.POST)
        if form.is_valid():
            try:
                made = create_association(form.new_association())
            except CreationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Association %(name)s créée : son site sera en ligne à %(url)s dès que "
                        "le worker l'aura construit. Ajoutez ses membres à ses groupes."
                    )
                    % {"name": made, "url": made.public_url + "/"},
                )
                return redirect("relais_associations")
        return self.render_to_response(self.get_context_data(form=form))
