"""The ambassadors in the Wagtail admin (Ambassadeurs): the listing of the chosen association,
adding one by hand, editing, sending the link of their page (never shown: it is their key),
and the leaderboard with a thank-you text for the most active.

Each association sees its own ambassadors only (:class:`SiteScopedViewSetMixin`): another's
are not found, and the leaderboard counts the chosen site's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from cms.federation.models import Association
from cms.federation.scope import chosen_site, in_scope, sites_for
from cms.federation.viewsets import SiteScopedViewSetMixin

from .leaderboard import leaderboard, thank_you_text
from .models import Ambassador, new_token
from .tasks import page_link_task

DEFAULT_DAYS = 30


class AmbassadorIndexView(generic.IndexView):
    @property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _("Classement"), url=reverse("ambassadors_admin:leaderboard"), icon_name="pick"
            ),
        ]


class SendLinkView(View):
    """POST: e-mail the ambassador the link of their page; with ``new=1`` the old link stops
    working first (a link given to the wrong person)."""

    model = Ambassador  # the admin's gate finds the row the URL names (cms.federation.middleware)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("ambassadors.change_ambassador"):
            raise PermissionDenied
        rows = in_scope(Ambassador.objects.filter(pk=pk), request.user)
        ambassador = rows.first()
        if ambassador is None:
            raise Http404
        if not ambassador.active:
            messages.error(
                request,
                _(
                    "%(name)s n'est pas active : cochez « active » et enregistrez, puis renvoyez "
                    "le lien."
                )
                % {"name": ambassador.name},
            )
            return redirect("ambassadors_admin:edit", ambassador.pk)
        if request.POST.get("new"):
            rows.update(token=new_token())
        page_link_task.enqueue(ambassador.pk)
        messages.success(
            request,
            _("Le lien de sa page a été envoyé à %(email)s.") % {"email": ambassador.email},
        )
        return redirect("ambassadors_admin:edit", ambassador.pk)


DATE = {"type": "date"}


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs=DATE))
    end = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs=DATE))


class LeaderboardView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Classement des ambassadeur·rices")
    header_icon = "pick"
    template_name = "ambassadors/admin/leaderboard.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("ambassadors.view_ambassador"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("ambassadors_admin:index"), "label": _("Ambassadeur·rices")},
            {"url": "", "label": _("Classement")},
        ]

    def period(self) -> tuple[dt.date, dt.date, PeriodForm]:
        today = timezone.localdate()
        start, end = today - dt.timedelta(days=DEFAULT_DAYS - 1), today
        form = PeriodForm(self.request.GET or None)
        if form.is_valid():
            start = form.cleaned_data["start"] or start
            end = form.cleaned_data["end"] or end
        else:
            form = PeriodForm(initial={"start": start, "end": end})
        return start, end, form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        site = chosen_site(self.request)
        start, end, form = self.period()
        rows = leaderboard(site, start, end)
        return {
            **super().get_context_data(**kwargs),
            "site": site,
            "sites": sites_for(self.request.user),
            "form": form,
            "start": start,
            "end": end,
            "rows": rows,
            "thanks": thank_you_text(rows, str(Association.for_site(site))),
        }


class AmbassadorViewSet(SiteScopedViewSetMixin, ModelViewSet):
    model = Ambassador
    icon = "group"
    menu_label = _("Ambassadeurs")
    add_to_admin_menu = True
    menu_order = 260
    url_prefix = "ambassadeurs"
    url_namespace = "ambassadors_admin"
    index_view_class = AmbassadorIndexView
    copy_view_enabled = False
    list_display = ["name", "email", "reference", "active", "weekly_email", "created_at"]
    list_filter = ["active", "weekly_email"]
    search_fields = ["name", "email", "reference"]
    search_backend_name = None
    form_fields = [
        "name",
        "email",
        "linkedin",
        "mastodon",
        "bluesky",
        "x",
        "reference",
        "active",
        "weekly_email",
    ]
    edit_template_name = "ambassadors/admin/edit.html"

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("classement/", LeaderboardView.as_view(), name="leaderboard"),
            path("<int:pk>/lien/", SendLinkView.as_view(), name="send_link"),
        ]
