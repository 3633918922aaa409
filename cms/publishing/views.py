"""Admin views of the publishing pipeline: draft preview through the site's theme, and the
state of the public site (builds, their errors, recent exports)."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access

from cms.content.models import ITEM_MODELS
from relais.build import SitePaths
from relais.render import ThemeRenderer

from .export import item_for_page, rendition_ref
from .models import BuildRecord, ExportRecord, SiteState

PREVIEW_MODELS = {m.get_content_type_str(): m for m in ITEM_MODELS.values()}


def renderer() -> ThemeRenderer:
    from .builder import site_paths

    paths = site_paths()
    paths.content.mkdir(parents=True, exist_ok=True)
    return _renderer(paths.content, paths.output, settings.RELAIS_SITE_URL)


@functools.lru_cache(maxsize=4)
def _renderer(content: Path, output: Path, site_url: str) -> ThemeRenderer:
    return ThemeRenderer(SitePaths.at(content, output), SITEURL=site_url)


@require_admin_access
@xframe_options_sameorigin
def preview(request: HttpRequest) -> HttpResponse:
    """Render the draft named by a headless-preview token exactly as the static site would."""
    model = PREVIEW_MODELS.get(request.GET.get("content_type", ""))
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
    return HttpResponse(renderer().render_item(item))


@require_admin_access
def site_status(request: HttpRequest) -> TemplateResponse:
    builds = Paginator(BuildRecord.objects.all(), 25).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "publishing/site_status.html",
        {
            "builds": builds,
            "state": SiteState.get(),
            "last_build": BuildRecord.objects.first(),
            "last_success": BuildRecord.objects.filter(status=BuildRecord.Status.SUCCEEDED).first(),
            "recent_exports": ExportRecord.objects.all()[:15],
        },
    )


@require_admin_access
@require_POST
def rebuild(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("wagtailadmin.access_admin"):
        raise PermissionDenied
    from .tasks import build_site_task

    build_site_task.enqueue(
        _("reconstruction demandée par %(user)s") % {"user": request.user.get_username()},
        force=True,
    )
    messages.success(request, _("Reconstruction du site demandée."))
    return redirect("relais_site_status")
