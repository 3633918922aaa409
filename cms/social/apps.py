from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "cms.social"
    label = "social"
    verbose_name = _("Réseaux sociaux")

    def ready(self) -> None:
        from . import crypto, signal_handlers, tasks
        from .signals import delivery_due

        # Without a usable key no credential can be stored or read: refuse to start, saying how
        # to make one (the dev and test settings derive a development key).
        crypto.check_key()
        signal_handlers.connect()
        delivery_due.connect(tasks.on_delivery_due, dispatch_uid="social-delivery-due")
