"""Wagtail's generic admin views (``ModelViewSet``, ``SnippetViewSet`` and their choosers) for a
model whose rows belong to a site: every view the viewset builds goes through the scope of
:mod:`cms.federation.scope`, so that a view added to the viewset later is scoped too.

- **listings** (index, its results and exports) show the rows of the site the user chose (the
  site switcher above them), among their associations' sites;
- **choosers** offer the rows of all the user's sites;
- **every view of one row** (edit, delete, inspect, history, usage, copy, chosen…: any URL
  with a ``pk``) answers 404 for a row of another association, before the view runs;
- **new rows** get the chosen site.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import select_template
from wagtail.admin.views.generic.chooser import (
    BaseChooseView,
    ChosenMultipleViewMixin,
    ChosenViewMixin,
    CreateViewMixin,
    CreationFormMixin,
)
from wagtail.admin.views.generic.models import CreateView, IndexView
from wagtail.models import Site

from .scope import chosen_site, in_scope, sites_for

SWITCHER_TEMPLATE = "federation/scoped_listing.html"


class SiteSwitcherMixin:
    """A listing view (Wagtail's ``IndexView``, ``ReportView``…) of one site, ``self.site``,
    with the site switcher above its listing when the user works on several; its own template
    is kept, around the switcher."""

    site: Site

    def get_template_names(self) -> list[str]:
        if getattr(self, "results_only", False):
            return super().get_template_names()  # type: ignore[misc]
        return [SWITCHER_TEMPLATE]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        own = super().get_template_names()  # type: ignore[misc]
        context.update(
            site=self.site,
            sites=sites_for(self.request.user),  # type: ignore[attr-defined]
            scoped_base_template=select_template(own),
        )
        return context


def scoped_listing_class(view_class: type, field: str) -> type:
    """``view_class`` (an index view) showing the chosen site's rows, with the switcher."""

    class ScopedListing(SiteSwitcherMixin, view_class):
        def get_base_queryset(self) -> QuerySet:
            queryset = in_scope(super().get_base_queryset(), self.request.user, field)
            self.site = chosen_site(self.request)
            return queryset.filter(**{field: self.site})

    ScopedListing.__name__ = f"Scoped{view_class.__name__}"
    return ScopedListing


def scoped_chooser_class(view_class: type, field: str) -> type:
    """``view_class`` (a chooser view) offering the rows of the user's sites only."""
    attrs: dict[str, Callable[..., Any]] = {}
    if issubclass(view_class, BaseChooseView):

        def get_object_list(self: Any) -> QuerySet:
            return in_scope(super(cls, self).get_object_list(), self.request.user, field)

        attrs["get_object_list"] = get_object_list
    if issubclass(view_class, ChosenViewMixin):

        def get_object(self: Any, pk: Any) -> Model:
            return in_scope(self.model_class.objects.all(), self.request.user, field).get(pk=pk)

        attrs["get_object"] = get_object
    if issubclass(view_class, ChosenMultipleViewMixin):

        def get_objects(self: Any, pks: list[str]) -> QuerySet:
            return in_scope(super(cls, self).get_objects(pks), self.request.user, field)

        attrs["get_objects"] = get_objects
    if issubclass(view_class, CreateViewMixin):

        def dispatch(self: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if self.get_creation_form_class() is None:
                raise Http404  # the chooser has no creation form: nothing is made here
            return super(cls, self).dispatch(request, *args, **kwargs)

        attrs["dispatch"] = dispatch
    if issubclass(view_class, CreationFormMixin):

        def get_creation_form_kwargs(self: Any) -> dict[str, Any]:
            kwargs = super(cls, self).get_creation_form_kwargs()
            kwargs["instance"] = self.model_class(**{field: chosen_site(self.request)})
            return kwargs

        attrs["get_creation_form_kwargs"] = get_creation_form_kwargs
    if not attrs:
        return view_class
    cls = type(f"Scoped{view_class.__name__}", (view_class,), attrs)
    return cls


def scoped_create_class(view_class: type, field: str) -> type:
    """``view_class`` (a create or copy view) giving the new row the chosen site."""

    class ScopedCreate(view_class):
        def get_initial_form_instance(self) -> Model:
            instance = super().get_initial_form_instance() or self.model()
            setattr(instance, field, chosen_site(self.request))
            return instance

    ScopedCreate.__name__ = f"Scoped{view_class.__name__}"
    return ScopedCreate


def gated(view: Callable[..., HttpResponse], model: type[Model], field: str) -> Callable:
    """``view``, answering 404 when its ``pk`` names a row outside the user's sites."""

    @functools.wraps(view)
    def scoped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pk = kwargs.get("pk")
        if pk is not None:
            rows = model._default_manager.filter(pk=unquote(str(pk)))
            if not in_scope(rows, request.user, field).exists():
                raise Http404
        return view(request, *args, **kwargs)

    return scoped


class SiteScopedViewSetMixin:
    """Mix into a ``ModelViewSet``, ``SnippetViewSet`` or ``ChooserViewSet`` (before it) whose
    model has a site: ``scope_field`` is the path from the model to its site (the model's
    ``site_path``, :func:`cms.federation.scope.scoped_objects`)."""

    @property
    def scope_field(self) -> str:
        return getattr(self.model, "site_path", "site")  # type: ignore[attr-defined]

    def construct_view(self, view_class: type, **kwargs: Any) -> Callable:
        field = self.scope_field
        if issubclass(view_class, IndexView):
            view_class = scoped_listing_class(view_class, field)
        elif issubclass(view_class, CreateView):
            view_class = scoped_create_class(view_class, field)
        else:
            view_class = scoped_chooser_class(view_class, field)
        view = super().construct_view(view_class, **kwargs)  # type: ignore[misc]
        return gated(view, self.model, field)  # type: ignore[attr-defined]

    @property
    def chooser_viewset(self) -> Any:
        """The chooser of a snippet viewset, scoped the same way."""
        base = self.chooser_viewset_class  # type: ignore[attr-defined]
        scoped = type(f"Scoped{base.__name__}", (SiteScopedViewSetMixin, base), {})
        return scoped(
            self.get_chooser_admin_url_namespace(),  # type: ignore[attr-defined]
            model=self.model,  # type: ignore[attr-defined]
            url_prefix=self.get_chooser_admin_base_path(),  # type: ignore[attr-defined]
            icon=self.icon,  # type: ignore[attr-defined]
            per_page=self.chooser_per_page,  # type: ignore[attr-defined]
        )
