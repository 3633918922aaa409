"""Wagtail's own admin, scoped to the user's associations where it lists pages, images and
documents of every site: the page chooser and explorer, and the admin API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from wagtail import hooks

from .api import ScopedDocumentsAdminAPIViewSet, ScopedImagesAdminAPIViewSet
from .scope import pages_in_scope


@hooks.register("construct_page_chooser_queryset")
def chooser_pages_of_the_users_sites(pages: QuerySet, request: HttpRequest) -> QuerySet:
    return pages_in_scope(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def explorer_pages_of_the_users_sites(
    parent_page: Any, pages: QuerySet, request: HttpRequest
) -> QuerySet:
    return pages_in_scope(pages, request.user)


@hooks.register("construct_admin_api", order=100)  # after Wagtail's own images and documents
def scoped_admin_api(router: Any) -> None:
    router.register_endpoint("images", ScopedImagesAdminAPIViewSet)
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
