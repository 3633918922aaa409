from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "cms.watch"
    label = "watch"
    verbose_name = _("Veille")

    def ready(self) -> None:
        from cms.publishing.clock import Job, every, register
        from cms.publishing.recovery import rerunnable

        from . import conf
        from .tasks import watch_cycle_task

        rerunnable(
            watch_cycle_task,
            "it checks the sources that are due; an entry already stored is never stored twice",
        )
        # The worker's clock runs a check cycle; each source has its own next check.
        seconds = conf.cycle_every()
        if seconds:
            register(Job("watch_cycle", every(seconds), watch_cycle_task.enqueue))
