"""The admin API's images and documents (what the admin's own scripts read) limited to the
collections of the user's associations, as Wagtail's listings of them are."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet

from .scope import collections_for


class CollectionScopedMixin:
    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()  # type: ignore[misc]
        collections = collections_for(self.request.user)  # type: ignore[attr-defined]
        return queryset if collections is None else queryset.filter(collection__in=collections)


class ScopedImagesAdminAPIViewSet(CollectionScopedMixin, ImagesAdminAPIViewSet):
    pass


class ScopedDocumentsAdminAPIViewSet(CollectionScopedMixin, DocumentsAdminAPIViewSet):
    pass
