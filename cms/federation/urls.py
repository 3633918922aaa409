"""Wagtail's admin views that Relais scopes to the user's associations
(:mod:`cms.federation.wagtail_views`), at Wagtail's own addresses: ``cms/urls.py`` mounts these
before Wagtail's admin, so that they answer instead of Wagtail's."""

from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtail.utils.urlpatterns import decorate_urlpatterns

from . import wagtail_views as views

urlpatterns = [
    path("bulk/<str:app_label>/<str:model_name>/<str:action>/", views.bulk_action),
    path("tag-autocomplete/", views.tag_autocomplete),
    path("tag-autocomplete/<slug:app_name>/<slug:model_name>/", views.tag_autocomplete),
    path("reports/workflow/", views.ScopedWorkflowView.as_view()),
    path("reports/workflow/results/", views.ScopedWorkflowView.as_view(results_only=True)),
    path("reports/workflow_tasks/", views.ScopedWorkflowTasksView.as_view()),
    path(
        "reports/workflow_tasks/results/",
        views.ScopedWorkflowTasksView.as_view(results_only=True),
    ),
    path("reports/site-history/", views.ScopedLogEntriesView.as_view()),
    path("reports/site-history/results/", views.ScopedLogEntriesView.as_view(results_only=True)),
    path("snippets/", views.ScopedSnippetIndexView.as_view()),
]

urlpatterns = decorate_urlpatterns(urlpatterns, require_admin_access)
