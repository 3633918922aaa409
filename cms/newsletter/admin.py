"""The newsletter in the Wagtail admin, each association seeing its own (the viewsets go
through :class:`cms.federation.viewsets.SiteScopedViewSetMixin`; the views added here look their
row up among the user's sites and answer 404 for another association's):

- **Abonné·es**: the subscribers of the chosen site with their counts per status; an address
  added here gets the confirmation mail (double opt-in as anywhere else); its status can be set
  to "adresse en échec" (a permanent bounce) or "désabonné·e".
- **Lettres**: the digests, each previewed as the subscribers will see it, with "m'envoyer un
  essai" and "envoyer maintenant"; "Composer" makes a digest of chosen items now (an urgent
  item); "Réglages" sets the frequency, day, hour and pace.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from cms.federation.scope import can_manage, chosen_site, in_scope, sites_for
from cms.federation.viewsets import SiteScopedViewSetMixin
from cms.publishing.models import ExportRecord

from . import composing
from .models import Digest, DigestDelivery, NewsletterSettings, Subscriber
from .tasks import send_confirmation, send_digest, send_test

# -- subscribers ----------------------------------------------------------------------------------


class SubscriberForm(WagtailAdminModelForm):
    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        taken = Subscriber.objects.filter(site_id=self.instance.site_id, email__iexact=email)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _(
                    "Cette adresse est déjà dans la liste de cette association : cherchez-la "
                    "dans la liste pour changer son statut."
                )
            )
        return email


class SubscriberFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Statut"), choices=Subscriber.Status.choices, empty_label=_("Tous")
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Origine"), choices=Subscriber.Source.choices, empty_label=_("Toutes")
    )

    class Meta:
        model = Subscriber
        fields = ["status", "source"]


class SubscriberIndexView(generic.IndexView):
    def get_page_subtitle(self) -> str:
        rows = Subscriber.objects.filter(site=chosen_site(self.request))
        return ", ".join(
            f"{label} : {rows.filter(status=value).count()}"
            for value, label in Subscriber.Status.choices
        )


class SubscriberCreateView(generic.CreateView):
    def save_instance(self) -> Subscriber:
        self.form.instance.source = Subscriber.Source.ADMIN
        self.form.instance.status = Subscriber.Status.PENDING
        instance = super().save_instance()
        pk = instance.pk
        transaction.on_commit(lambda: send_confirmation.enqueue(pk))
        return instance

    def get_success_message(self, instance: Subscriber) -> str:
        return _("%(email)s ajoutée : un e-mail lui demande de confirmer son abonnement.") % {
            "email": instance.email
        }


class SubscriberViewSet(SiteScopedViewSetMixin, ModelViewSet):
    model = Subscriber
    icon = "user"
    menu_label = gettext_lazy("Abonné·es")
    url_prefix = "lettre/abonnes"
    url_namespace = "newsletter_subscriber"
    index_view_class = SubscriberIndexView
    add_view_class = SubscriberCreateView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["email", "name", "source", "status", "created_at", "confirmed_at"]
    filterset_class = SubscriberFilterSet
    search_fields = ["email", "name"]
    search_backend_name = None
    list_export = ["email", "name", "source", "status", "created_at", "confirmed_at"]
    export_filename = "abonnes"

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        fields = ["email", "name", "status"] if for_update else ["email", "name"]
        return forms.modelform_factory(Subscriber, form=SubscriberForm, fields=fields)


# -- digests --------------------------------------------------------------------------------------


def digest_in_scope(request: HttpRequest, pk: int) -> Digest:
    """The digest ``pk`` if it is one of the user's associations' (else 404)."""
    if not request.user.has_perm("newsletter.view_digest"):
        raise PermissionDenied
    return get_object_or_404(in_scope(Digest.objects.all(), request.user), pk=pk)


def require_sender(request: HttpRequest, digest: Digest) -> None:
    if not (
        request.user.has_perm("newsletter.change_digest")
        and can_manage(request.user, digest.site_id)
    ):
        raise PermissionDenied


class DigestIndexView(generic.IndexView):
    def get_add_url(self) -> None:
        return None

    @property
    def header_buttons(self) -> list[HeaderButton]:
        return [
            *super().header_buttons,
            HeaderButton(
                _("Composer maintenant"), url=reverse("newsletter_digest:compose"), icon_name="mail"
            ),
            HeaderButton(_("Réglages"), url=reverse("newsletter_digest:settings"), icon_name="cog"),
        ]


class DigestInspectView(generic.InspectView):
    template_name = "newsletter/admin/digest_inspect.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = DigestDelivery.objects.filter(digest=self.object)
        context.update(
            digest=self.object,
            deliveries=[
                (label, rows.filter(state=value).count())
                for value, label in DigestDelivery.State.choices
            ],
            confirmed=Subscriber.objects.filter(
                site_id=self.object.site_id, status=Subscriber.Status.CONFIRMED
            ).count(),
        )
        return context


@xframe_options_sameorigin
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The digest's HTML as it will be sent (in the inspect view's frame)."""
    digest = digest_in_scope(request, pk)
    inert = reverse("newsletter:unsubscribe", args=["apercu"])
    html = digest.html.replace(composing.UNSUBSCRIBE_PLACEHOLDER, inert)
    response = HttpResponse(html)
    response["Content-Security-Policy"] = "script-src 'none'"
    return response


def send_test_view(request: HttpRequest, pk: int) -> HttpResponse:
    digest = digest_in_scope(request, pk)
    if request.method != "POST":
        return redirect("newsletter_digest:inspect", pk)
    if not request.user.email:
        messages.error(
            request,
            _(
                "Votre compte n'a pas d'adresse e-mail : ajoutez-la dans votre profil (Compte), "
                "puis recommencez."
            ),
        )
    else:
        send_test.enqueue(digest.pk, request.user.pk)
        messages.success(
            request, _("Un essai part vers %(email)s.") % {"email": request.user.email}
        )
    return redirect("newsletter_digest:inspect", digest.pk)


def send_now_view(request: HttpRequest, pk: int) -> HttpResponse:
    digest = digest_in_scope(request, pk)
    if request.method != "POST":
        return redirect("newsletter_digest:inspect", pk)
    require_sender(request, digest)
    if digest.status != Digest.Status.READY:
        messages.warning(request, _("Cette lettre est déjà partie (ou en cours d'envoi)."))
    else:
        send_digest.enqueue(digest.pk)
        messages.success(request, _("L'envoi de la lettre commence."))
    return redirect("newsletter_digest:inspect", digest.pk)


class ComposeForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Contenus"),
        queryset=ExportRecord.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Les contenus en ligne depuis un mois ; un seul pour une urgence."),
    )

    def __init__(self, *args: Any, site: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        since = timezone.now() - dt.timedelta(days=31)
        self.fields["items"].queryset = (
            ExportRecord.objects.filter(site=site, withdrawn=False, first_live_at__gte=since)
            .exclude(url="")
            .order_by("-first_live_at")
        )
        self.fields["items"].label_from_instance = lambda r: r.title


class SiteFormView(WagtailAdminTemplateMixin, TemplateView):
    """A form about the chosen site, for those who manage its association."""

    template_name = "newsletter/admin/form.html"
    header_icon = "mail"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.site = chosen_site(request)
        if not (
            request.user.has_perm("newsletter.change_digest")
            and can_manage(request.user, self.site)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("newsletter_digest:index"), "label": _("Lettres")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "site": self.site,
            "sites": sites_for(self.request.user),
        }


class ComposeView(SiteFormView):
    page_title = gettext_lazy("Composer une lettre maintenant")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=ComposeForm(site=self.site)))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ComposeForm(request.POST, site=self.site)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        records = sorted(form.cleaned_data["items"], key=lambda r: r.first_live_at)
        now = timezone.now()
        digest = composing.compose(
            self.site, records[0].first_live_at, now, Digest.Kind.URGENT, records=records
        )
        messages.success(request, _("Lettre composée : vérifiez l'aperçu, puis envoyez-la."))
        return redirect("newsletter_digest:inspect", digest.pk)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = NewsletterSettings
        fields = ["frequency", "weekday", "day_of_month", "hour", "per_second", "archive_on_site"]


class SettingsView(SiteFormView):
    page_title = gettext_lazy("Réglages de la lettre")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SettingsForm(instance=NewsletterSettings.for_site(self.site.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SettingsForm(request.POST, instance=NewsletterSettings.for_site(self.site.pk))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        form.save()
        messages.success(request, _("Réglages de la lettre enregistrés."))
        return redirect("newsletter_digest:index")


class DigestViewSet(SiteScopedViewSetMixin, ModelViewSet):
    model = Digest
    icon = "mail"
    menu_label = gettext_lazy("Lettres")
    url_prefix = "lettre/lettres"
    url_namespace = "newsletter_digest"
    index_view_class = DigestIndexView
    inspect_view_class = DigestInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["subject", "kind", "status", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    form_fields = ["subject"]

    def get_urlpatterns(self) -> list[Any]:
        patterns = [p for p in super().get_urlpatterns() if p.name != "add"]
        return [
            *patterns,
            path("<int:pk>/apercu/", preview, name="preview"),
            path("<int:pk>/essai/", send_test_view, name="test"),
            path("<int:pk>/envoyer/", send_now_view, name="send"),
            path("composer/", ComposeView.as_view(), name="compose"),
            path("reglages/", SettingsView.as_view(), name="settings"),
        ]


class NewsletterGroup(ViewSetGroup):
    menu_label = gettext_lazy("Lettre d'information")
    menu_icon = "mail"
    menu_order = 260
    items = (DigestViewSet, SubscriberViewSet)
