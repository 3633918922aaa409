from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "cms.pool"
    label = "pool"
    verbose_name = _("Mutualisation")

    def ready(self) -> None:
        from . import signal_handlers

        signal_handlers.connect()
