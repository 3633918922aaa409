from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbassadorsConfig(AppConfig):
    name = "cms.ambassadors"
    label = "ambassadors"
    verbose_name = _("Ambassadeurs")

    def ready(self) -> None:
        from cms.publishing.clock import Job, every, register
        from cms.publishing.recovery import rerunnable

        from . import signal_handlers, tasks

        signal_handlers.connect()
        # The worker's clock looks every hour for the ambassadors whose weekly mail is due;
        # each one's last mail is recorded, so it leaves once a week whatever the tick.
        register(Job("ambassadors_weekly_mail", every(3600), tasks.weekly_mail_task.enqueue))
        rerunnable(tasks.weekly_mail_task, "each ambassador's last weekly mail is recorded")
        rerunnable(tasks.page_link_task, "a link sent twice is better than none")
