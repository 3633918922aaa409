"""The sign-ups in the Wagtail admin: listing with filters, CSV/Excel export, details and
status, and deletion of a person's data on request.

Only users with the "view/change/delete sign-up" permissions see them (superusers by default):
give them to the association's secretariat group, not to every editor. Each association sees
its own sign-ups only (the listing, its filters and exports show the chosen site's; any other
is not found), and a deletion on request deletes the chosen association's records only.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from cms.audience.sources import network_label
from cms.core.i18n import labelled
from cms.core.spreadsheets import SafeSpreadsheetExportMixin
from cms.federation.scope import chosen_site, sites_for
from cms.federation.viewsets import SiteScopedViewSetMixin

from . import erasure
from .models import Signup


def answers_text(answers: object) -> str:
    """The answers to the page's questions, one ``question : answer`` per line."""
    if isinstance(answers, dict):
        return "\n".join(labelled(q, a) for q, a in answers.items())
    return "" if answers is None else str(answers)


def network_choices(signups: QuerySet[Signup]) -> list[tuple[str, str]]:
    keys = (
        signups.exclude(last_network="")
        .order_by("last_network")
        .values_list("last_network", flat=True)
        .distinct()
    )
    return [(k, network_label(k)) for k in keys]


def class_year_choices(signups: QuerySet[Signup]) -> list[tuple[int, int]]:
    years = (
        signups.exclude(class_year=None)
        .order_by("-class_year")
        .values_list("class_year", flat=True)
        .distinct()
    )
    return [(y, y) for y in years]


class SignupFilterSet(WagtailFilterSet):
    """The filters of the listing; the networks and class years offered are those of the
    chosen association's sign-ups."""

    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=Signup.Status.choices, empty_label=_("Tous")
    )
    last_network = django_filters.ChoiceFilter(
        label=_("Réseau d'origine"), choices=[], empty_label=_("Tous")
    )
    class_year = django_filters.ChoiceFilter(
        label=_("Promotion"), choices=[], empty_label=_("Toutes")
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Reçue entre"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Signup
        fields = ["status", "last_network", "class_year", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        signups = (
            Signup.objects.filter(site=chosen_site(self.request))
            if self.request is not None
            else Signup.objects.none()
        )
        self.filters["last_network"].extra["choices"] = network_choices(signups)
        self.filters["class_year"].extra["choices"] = class_year_choices(signups)


class NetworkColumn(Column):
    """A network as people name it ("LinkedIn"), not as links carry it ("linkedin")."""

    def get_value(self, instance: Signup) -> str:
        key = super().get_value(instance)
        return network_label(key) if key else ""


class SignupIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    """Every exported value is cleaned (:mod:`cms.core.spreadsheets`): a sign-up stored with
    odd characters, or typed like a formula, never breaks or runs in the export."""

    custom_field_preprocess = {"answers": {"csv": answers_text, "xlsx": answers_text}}

    def get_add_url(self):
        return None  # sign-ups come from the public form

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("members.delete_signup"):
            buttons.append(
                HeaderButton(
                    _("Suppression sur demande"),
                    url=reverse("members_signup:erase"),
                    icon_name="bin",
                )
            )
        return buttons


class ErasureForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de la personne"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ErasureView(WagtailAdminTemplateMixin, TemplateView):
    """Step 1: the address; step 2: what will be deleted, to confirm; then delete."""

    page_title = _("Supprimer les données d'une personne")
    header_icon = "bin"
    template_name = "members/admin/erase.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("members.delete_signup"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("members_signup:index"), "label": _("Demandes d'adhésion")},
            {"url": "", "label": _("Suppression sur demande")},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "site": self.site,
            "sites": sites_for(self.request.user),
        }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.site = chosen_site(request)
        return self.render_to_response(self.get_context_data(form=ErasureForm(), found=None))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.site = chosen_site(request)
        form = ErasureForm(request.POST)
        found = None
        if form.is_valid():
            email = form.cleaned_data["email"]
            if form.cleaned_data["confirm"]:
                done = erasure.erase(email, self.site)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d enregistrement supprimé pour cette adresse.",
                        "%(count)d enregistrements supprimés pour cette adresse.",
                        done.total,
                    )
                    % {"count": done.total},
                )
                return redirect("members_signup:index")
            found = erasure.find(email, self.site)
            form = ErasureForm(initial={"email": email, "confirm": True})
        return self.render_to_response(self.get_context_data(form=form, found=found))


class SignupViewSet(SiteScopedViewSetMixin, ModelViewSet):
    model = Signup
    icon = "user"
    menu_label = _("Adhésions")
    add_to_admin_menu = True
    menu_order = 250
    url_prefix = "adhesions"
    url_namespace = "members_signup"
    index_view_class = SignupIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "name",
        "email",
        "class_year",
        NetworkColumn("last_network", label=_("Réseau"), sort_key="last_network"),
        "last_item",
        "status",
        "created_at",
    ]
    filterset_class = SignupFilterSet
    search_fields = ["name", "email", "school"]
    search_backend_name = None
    list_export = [
        "created_at",
        "status",
        "name",
        "email",
        "school",
        "class_year",
        "wants_membership",
        "wants_ambassador",
        "wants_news",
        "answers",
        "consented_at",
        "last_network",
        "last_source",
        "last_medium",
        "last_campaign",
        "last_content",
        "last_item",
        "last_referrer",
        "last_day",
        "first_network",
        "first_source",
        "first_medium",
        "first_campaign",
        "first_content",
        "first_item",
        "first_referrer",
        "first_day",
    ]
    export_filename = "adhesions"
    form_fields = ["status", "notes"]

    def get_urlpatterns(self):
        patterns = [p for p in super().get_urlpatterns() if p.name != "add"]
        return [*patterns, path("effacement/", ErasureView.as_view(), name="erase")]
