from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "cms.handover"
    label = "handover"
    verbose_name = _("Passation")

    def ready(self) -> None:
        from cms.publishing.clock import Job, every, register
        from cms.publishing.recovery import rerunnable

        from . import tasks

        # Every hour, the accounts whose token expires soon: each reminder is recorded, so
        # the owner and the backup get it once per threshold (14 days, 3 days).
        register(Job("handover_expiry_reminders", every(3600), tasks.reminders_task.enqueue))
        rerunnable(tasks.reminders_task, "each reminder sent is recorded before the next")
