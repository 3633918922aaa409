from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "cms.federation"
    label = "federation"
    verbose_name = _("Fédération")

    def ready(self) -> None:
        from . import signal_handlers

        post_save.connect(
            signal_handlers.on_site_saved,
            sender="wagtailcore.Site",
            dispatch_uid="relais-association-of-a-new-site",
        )
        post_migrate.connect(
            signal_handlers.on_post_migrate, dispatch_uid="relais-associations-provisioned"
        )
