"""The Social tab's live preview: the editor's form as it is, composed by the real composer.

The tab's script posts the whole edit form here as the editor types; the page is built from it
exactly as Wagtail builds a preview (``form.save(commit=False)``), mapped to a content item as
the export would write it, and composed for each network of the site's accounts. Nothing is
saved.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from syndication.errors import ComposeError
from syndication.registry import Network

from ..compose import item_from_page, override_for
from ..compose import preview as preview_one

logger = logging.getLogger(__name__)


def compose_previews(
    page: Any, networks: Mapping[str, Network], texts: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """{network: what the tab shows} for ``page`` (an unsaved page is fine)."""
    if not networks:
        return {}
    try:
        item = item_from_page(page)
    except (ComposeError, ValueError, AttributeError, TypeError):
        logger.debug("No social preview for page %s", page.pk, exc_info=True)
        return {}
    return {
        name: preview_one(item, network, override_for(texts, name))
        for name, network in networks.items()
    }


def _respond(request: HttpRequest, instance: Any, parent: Any) -> JsonResponse:
    form_class = type(instance).get_edit_handler().get_form_class()
    form = form_class(
        request.POST, request.FILES, instance=instance, parent_page=parent, for_user=request.user
    )
    form.skip_social_validation = True
    try:
        valid = form.is_valid()
    except (KeyError, ValueError, TypeError):  # a form sent before the page's scripts ran
        logger.debug("Social preview: incomplete form", exc_info=True)
        valid = False
    if not valid:
        return JsonResponse(
            {
                "error": _("Complétez l'article (titre, slug et chapeau) pour voir les textes."),
                "fields": sorted(getattr(form, "_errors", None) or {}),
                "networks": {},
            }
        )
    page = form.save(commit=False)
    networks = form.social_networks()
    texts = form.cleaned_data.get("social_texts") or {}
    return JsonResponse({"error": "", "networks": compose_previews(page, networks, texts)})


@require_POST
def preview(request: HttpRequest, page_id: int) -> JsonResponse:
    page = get_object_or_404(Page, pk=page_id).specific
    if not hasattr(page, "social_texts"):
        raise Http404
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return _respond(request, page.get_latest_revision_as_object(), page.get_parent())


@require_POST
def preview_new(
    request: HttpRequest, app_label: str, model_name: str, parent_id: int
) -> JsonResponse:
    try:
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model is None or not issubclass(model, Page) or not hasattr(model, "social_texts"):
        raise Http404
    parent = get_object_or_404(Page, pk=parent_id).specific
    if not parent.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    return _respond(request, placed_under(model(), parent), parent)


def placed_under(page: Page, parent: Page) -> Page:
    """An unsaved page given the tree position it would take under ``parent`` (as Wagtail's own
    preview of a new page does), so that it knows its site and address."""
    page.depth = parent.depth + 1
    last = parent.get_last_child()
    page.path = last._inc_path() if last else page._get_path(parent.path, page.depth, 1)
    return page
