from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.publishing import views as publishing_views

urlpatterns = [
    # Wagtail's admin views that list every site's objects, scoped (in front of Wagtail's own)
    path("admin/", include("cms.federation.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("relais-preview/", publishing_views.preview, name="relais_preview"),
    path("health/", publishing_views.health_endpoint, name="relais_health_endpoint"),
    path("c/", include("cms.audience.urls")),
    path("n/", include("cms.newsletter.urls")),
    path("veille/", include("cms.watch.urls")),
    path("ambassadeurs/", include("cms.ambassadors.urls")),
    path("enquetes/", include("cms.surveys.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
