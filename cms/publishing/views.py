"""Admin views of the publishing pipeline: draft preview through the site's theme, and the
state of the public site (builds, their errors, recent exports)."""

from __future__ import annotations

import functools
import hmac
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access
from wagtail.models import Page, Site, get_page_models

from cms.content.models import ItemPage
from cms.federation.models import Association
from cms.federation.scope import chosen_site, is_federation_admin, sites_for
from relais.buildconfig import SitePaths
from relais.render import ThemeRenderer

from . import health
from .export import item_for_page, pages_behind, rendition_ref
from .models import BuildRecord, ExportRecord, SiteState
from .recovery import database_queue
from .tasks import request_full_build

REBUILD_PERMISSION = "publishing.rebuild_site"


def preview_model(content_type: str) -> type[ItemPage] | None:
    """The kind of item a preview token names: every kind, those of other apps (a survey)
    included."""
    for model in get_page_models():
        if issubclass(model, ItemPage) and model.get_content_type_str() == content_type:
            return model
    return None


def renderer(site: Site) -> ThemeRenderer:
    association = Association.for_site(site)
    paths = association.paths
    paths.content.mkdir(parents=True, exist_ok=True)
    return _renderer(paths.content, paths.output, association.public_url)


@functools.lru_cache(maxsize=4)
def _renderer(content: Path, output: Path, site_url: str) -> ThemeRenderer:
    return ThemeRenderer(SitePaths.at(content, output), SITEURL=site_url)


@require_admin_access
@xframe_options_sameorigin
def preview(request: HttpRequest) -> HttpResponse:
    """Render the draft named by a headless-preview token exactly as the static site would."""
    model = preview_model(request.GET.get("content_type", ""))
    token = request.GET.get("token", "")
    if model is None or not token:
        raise Http404(_("Aperçu introuvable."))
    try:
        page = model.get_page_from_preview_token(token)
    except BadSignature:
        raise Http404(_("Ce lien d'aperçu n'est pas valide.")) from None
    if page is None:
        raise Http404(_("Cet aperçu a expiré : relancez-le depuis l'éditeur."))
    target = page if page.pk else page.get_parent()
    perms = target.permissions_for_user(request.user) if target else None
    if perms is None or not (perms.can_edit() or perms.can_add_subpage()):
        raise PermissionDenied
    if not page.slug:
        page.slug = "apercu"
    item, _assets = item_for_page(page, image_ref=rendition_ref)
    return HttpResponse(renderer(target.get_site()).render_item(item))


@require_admin_access
def site_status(request: HttpRequest) -> TemplateResponse:
    site = chosen_site(request)
    site_builds = BuildRecord.objects.filter(site=site)
    builds = Paginator(site_builds, 25).get_page(request.GET.get("p"))
    to_export, _to_withdraw = pages_behind(site)
    waiting = Page.objects.filter(pk__in=to_export[:20]).order_by("title")
    return TemplateResponse(
        request,
        "publishing/site_status.html",
        {
            "site": site,
            "sites": sites_for(request.user),
            "public_url": Association.for_site(site).public_url,
            "builds": builds,
            "state": SiteState.get(site),
            "last_build": site_builds.first(),
            "last_success": site_builds.filter(status=BuildRecord.Status.SUCCEEDED).first(),
            "recent_exports": ExportRecord.objects.filter(site=site)[:15],
            "can_rebuild": request.user.has_perm(REBUILD_PERMISSION),
            "workers": health.alive_workers(),
            "workers_needed": database_queue(),
            "clock_holder": health.clock_holder(),
            "waiting_count": len(to_export),
            "waiting": waiting,
        },
    )


@require_admin_access
@require_POST
def rebuild(request: HttpRequest) -> HttpResponse:
    """Ask for a full rebuild: needs the permission "Peut reconstruire tout le site"; requests
    made before the last one has started add nothing (the rebuild to come serves them)."""
    if not request.user.has_perm(REBUILD_PERMISSION):
        raise PermissionDenied
    site = chosen_site(request)
    trigger = _("reconstruction demandée par %(user)s") % {"user": request.user.get_username()}
    if request_full_build(site, trigger):
        messages.success(request, _("Reconstruction du site demandée."))
    else:
        messages.info(
            request,
            _(
                "Une reconstruction complète est déjà prévue et n'a pas encore commencé : "
                "elle prendra aussi en compte votre demande."
            ),
        )
    return redirect(f"{reverse('relais_site_status')}?site={site.pk}")


@require_admin_access
def health_page(request: HttpRequest) -> TemplateResponse:
    """The installation's health (every site's): for superusers and the federation's
    administrators."""
    if not is_federation_admin(request.user):
        raise PermissionDenied
    return TemplateResponse(request, "publishing/health.html", {"report": health.check()})


@never_cache
@require_GET
def health_endpoint(request: HttpRequest) -> JsonResponse:
    """The health as JSON for monitoring: 200 when healthy, 503 when not. Answers only requests
    that send ``Authorization: Bearer <RELAIS_HEALTH_TOKEN>``; off while the token is unset."""
    token = settings.RELAIS_HEALTH_TOKEN
    if not token:
        return JsonResponse(
            {"error": "The health endpoint is off: set RELAIS_HEALTH_TOKEN to turn it on."},
            status=404,
        )
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        return JsonResponse(
            {"error": "Send the header 'Authorization: Bearer <RELAIS_HEALTH_TOKEN>'."},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="relais-health"'},
        )
    report = health.check()
    return JsonResponse(report.as_dict(), status=200 if report.healthy else 503)
