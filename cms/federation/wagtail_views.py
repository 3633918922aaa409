"""Wagtail's own admin views that list objects of every site, scoped to the user's
associations. They are mounted at Wagtail's own addresses, in front of Wagtail's
(:mod:`cms.federation.urls`), so that the admin's links and menus lead to them:

- **the site's history** (Rapports → Historique du site): Wagtail shows every log entry of a
  kind of object the user has a permission on, whoever's it is; here, the entries of the
  user's associations' pages and objects only, and their authors in the filter;
- **the workflow reports**: the moderation of the user's associations' pages, and who asked
  for it;
- **bulk actions** (delete, move, publish… of several objects at once): the objects of other
  associations named in the address are dropped before Wagtail sees them, so that they are
  neither acted on nor listed as "you may not";
- **tag suggestions**: the tags of other associations' items are not suggested;
- **the snippets' index** (Fragments): each kind of snippet counts the user's associations'
  rows.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from taggit.models import Tag, TagBase, TaggedItemBase
from wagtail.admin.views import tags as wagtail_tags
from wagtail.admin.views.bulk_action import index as wagtail_bulk_action
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
)
from wagtail.admin.views.reports.workflows import (
    WorkflowReportFilterSet,
    WorkflowTasksReportFilterSet,
    WorkflowTasksView,
    WorkflowView,
)
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import Page, PageLogEntry, WorkflowState, get_default_page_content_type
from wagtail.snippets.views.snippets import ModelIndexView

from .scope import pages_in_scope, scoped_objects, sees_everything


def _as_text(queryset: QuerySet) -> QuerySet:
    """The primary keys of ``queryset`` as text (log entries and workflow states name their
    object by a text id)."""
    return queryset.annotate(pk_text=Cast("pk", output_field=CharField())).values("pk_text")


def objects_in_scope(queryset: QuerySet, user: Any, prefix: str = "") -> QuerySet:
    """Rows naming an object by ``content_type`` and ``object_id`` (log entries, workflow
    states) reduced to the objects of the user's associations; objects of a kind that belongs
    to no association are kept."""
    if sees_everything(user):
        return queryset
    content_types = queryset.values_list(f"{prefix}content_type", flat=True).distinct()
    match = Q()
    for content_type in ContentType.objects.filter(pk__in=list(content_types)):
        model = content_type.model_class()
        mine = scoped_objects(model, user) if model is not None else None
        if mine is None:
            continue
        match &= ~Q(**{f"{prefix}content_type": content_type}) | Q(
            **{f"{prefix}object_id__in": _as_text(mine)}
        )
    return queryset.filter(match)


# -- the site's history ----------------------------------------------------------------------------


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    def get_users_queryset(self) -> QuerySet:
        return scoped_log_users(self.request.user)


def scoped_log_entries(log_model: Any, user: Any) -> QuerySet:
    entries = log_model.objects.viewable_by_user(user)
    if issubclass(log_model, PageLogEntry):
        return pages_in_scope(entries, user, "page")
    return objects_in_scope(entries, user)


def scoped_log_users(user: Any) -> QuerySet:
    ids: set[int] = set()
    for log_model in log_action_registry.get_log_entry_models():
        ids |= scoped_log_entries(log_model, user).get_user_ids()
    User = get_user_model()
    return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)


class ScopedLogEntriesView(LogEntriesView):
    filterset_class = ScopedSiteHistoryFilterSet

    def get_filtered_queryset(self) -> QuerySet:
        """Wagtail's union of the entries of every log model (see its docstring), each
        reduced to the user's associations."""
        if sees_everything(self.request.user):
            return super().get_filtered_queryset()
        self.log_models = list(log_action_registry.get_log_entry_models())
        kept = None
        for index, model in enumerate(self.log_models):
            rows = (
                scoped_log_entries(model, self.request.user)
                .values("pk", "timestamp")
                .annotate(log_model_index=_constant(index))
            )
            rows = self.filter_queryset(rows).order_by()
            kept = rows if kept is None else kept.union(rows, all=True)
        return kept.order_by("-timestamp")


def _constant(value: int) -> Value:
    return Value(value, output_field=IntegerField())


# -- the workflow reports --------------------------------------------------------------------------


def states_in_scope(states: QuerySet, user: Any, prefix: str = "") -> QuerySet:
    """Workflow states (``prefix``: the path to them) of the user's associations' pages and
    objects only."""
    if sees_everything(user):
        return states
    page_type = get_default_page_content_type()
    mine = pages_in_scope(Page.objects.all(), user)
    pages = Q(**{f"{prefix}base_content_type": page_type}) & Q(
        **{f"{prefix}object_id__in": _as_text(mine)}
    )
    others = ~Q(**{f"{prefix}base_content_type": page_type})
    return objects_in_scope(states.filter(pages | others), user, prefix)


class ScopedWorkflowFilterSet(WorkflowReportFilterSet):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.request is not None:
            asked = states_in_scope(WorkflowState.objects.all(), self.request.user)
            self.filters["requested_by"].queryset = get_user_model().objects.filter(
                pk__in=asked.values("requested_by")
            )


class ScopedWorkflowView(WorkflowView):
    filterset_class = ScopedWorkflowFilterSet

    def get_queryset(self) -> QuerySet:
        return states_in_scope(super().get_queryset(), self.request.user)


class ScopedWorkflowTasksView(WorkflowTasksView):
    filterset_class = WorkflowTasksReportFilterSet

    def get_queryset(self) -> QuerySet:
        return states_in_scope(super().get_queryset(), self.request.user, "workflow_state__")


# -- bulk actions ----------------------------------------------------------------------------------


def bulk_action(request: HttpRequest, app_label: str, model_name: str, action: str) -> HttpResponse:
    """Wagtail's bulk action on the objects named (``?id=``) that are the user's associations'
    only; "all" (every object of a listing) becomes those of the listing that are."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    mine = scoped_objects(model, request.user)
    if mine is not None and not sees_everything(request.user):
        asked = request.GET.getlist("id")
        if "all" in asked:
            parent = request.GET.get("childOf")
            if issubclass(model, Page) and parent:
                listed = Page.objects.filter(pk__in=_ids([parent])).first()
                mine = mine.child_of(listed) if listed is not None else mine.none()
            kept = [str(pk) for pk in mine.values_list("pk", flat=True)]
        else:
            kept = [str(pk) for pk in mine.filter(pk__in=_ids(asked)).values_list("pk", flat=True)]
        query = request.GET.copy()
        query.setlist("id", kept)
        query.pop("childOf", None)
        request.GET = QueryDict(query.urlencode())
    return wagtail_bulk_action(request, app_label, model_name, action)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


# -- tag suggestions -------------------------------------------------------------------------------


def tags_in_scope(tags: QuerySet, user: Any) -> QuerySet:
    """The tags not used on another association's pages only: those of the user's
    associations' items, and those no item uses yet."""
    if sees_everything(user):
        return tags
    for relation in tags.model._meta.related_objects:
        through = relation.related_model
        if not (isinstance(through, type) and issubclass(through, TaggedItemBase)):
            continue
        target = through._meta.get_field("content_object").related_model
        if not (isinstance(target, type) and issubclass(target, Page)):
            continue
        ours = through.objects.filter(content_object__in=pages_in_scope(target.objects, user))
        theirs = through.objects.exclude(pk__in=ours.values("pk"))
        tags = tags.exclude(Q(pk__in=theirs.values("tag")) & ~Q(pk__in=ours.values("tag")))
    return tags


def tag_autocomplete(
    request: HttpRequest, app_name: str | None = None, model_name: str | None = None
) -> HttpResponse:
    response = wagtail_tags.autocomplete(request, app_name, model_name)
    tag_model: type[TagBase] = Tag
    if app_name and model_name:
        tag_model = ContentType.objects.get_by_natural_key(app_name, model_name).model_class()
    names = json.loads(response.content)
    allowed = tags_in_scope(tag_model.objects.filter(name__in=names), request.user)
    kept = set(allowed.values_list("name", flat=True))
    return JsonResponse([n for n in names if n in kept], safe=False)


# -- the snippets' index ---------------------------------------------------------------------------


class ScopedSnippetIndexView(ModelIndexView):
    def _get_snippet_types(self) -> list[dict[str, Any]]:
        types = super()._get_snippet_types()
        for entry in types:
            mine = scoped_objects(entry["model"], self.request.user)
            if mine is not None:
                entry["count"] = mine.count()
        return types
