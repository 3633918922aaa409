"""The gate of the admin's addresses: an admin URL that names an object of another association
(a page, an image, a document, a collection, or a row of a model with a site) answers 404
before its view runs.

Wagtail's own views check the user's rights on what they show, but not all of them (the page
"move" confirmation shows another site's page, a chooser or an editing session of another's
object…), and a view added later may forget: the URL's parameters are checked here, for every
view, by the one rule of :func:`cms.federation.scope.scoped_objects`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from .scope import scoped_objects, sees_everything

#: URL parameters that name a page, whatever the view.
PAGE_PARAMS = {
    "page_id",
    "parent_page_id",
    "page_to_move_id",
    "destination_id",
    "parent_id",
    "page_pk",
}


def _model_named(app_label: str, model_name: str) -> type[Model] | None:
    try:
        return apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None


def named_objects(view: Callable[..., Any], kwargs: dict[str, Any]) -> list[tuple[type, Any]]:
    """The (model, primary key) of each object the URL's parameters name."""
    found: list[tuple[type, Any]] = [(Page, kwargs[p]) for p in PAGE_PARAMS & set(kwargs)]
    if "image_id" in kwargs:
        found.append((get_image_model(), kwargs["image_id"]))
    for name in ("document_id", "doc_id"):
        if name in kwargs:
            found.append((get_document_model(), kwargs[name]))
    if "collection_id" in kwargs:
        found.append((Collection, kwargs["collection_id"]))
    if "object_id" in kwargs and "app_label" in kwargs and "model_name" in kwargs:
        model = _model_named(kwargs["app_label"], kwargs["model_name"])
        if model is not None:
            found.append((model, kwargs["object_id"]))
    if "pk" in kwargs:
        view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
        initkwargs = getattr(view, "view_initkwargs", None) or {}
        model = initkwargs.get("model") or getattr(view_class, "model", None)
        if isinstance(model, type) and issubclass(model, Model):
            found.append((model, kwargs["pk"]))
    return found


def outside_scope(user: Any, model: type, pk: Any) -> bool:
    """Whether the object exists and belongs to none of the user's associations."""
    mine = scoped_objects(model, user)
    if mine is None:
        return False
    try:
        key = unquote(str(pk))
        exists = model._default_manager.filter(pk=key).exists()
    except (ValueError, TypeError):
        return False
    return exists and not mine.filter(pk=key).exists()


class AdminScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    @property
    def admin_prefix(self) -> str:
        if self._admin_prefix is None:
            self._admin_prefix = reverse("wagtailadmin_home")
        return self._admin_prefix

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        if not kwargs or not request.path.startswith(self.admin_prefix):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or sees_everything(user):
            return None
        for model, pk in named_objects(view, kwargs):
            if outside_scope(user, model, pk):
                raise Http404
        return None
