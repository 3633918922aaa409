from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cms.core"
    label = "core"
    verbose_name = _("Association")

    def ready(self) -> None:
        from . import checks, sites  # noqa: F401 - checks registers the system checks

        post_migrate.connect(sites.on_post_migrate, sender=self, dispatch_uid="relais-site-url")
