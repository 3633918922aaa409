from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "cms.stats"
    label = "stats"
    verbose_name = _("Statistiques")

    def ready(self) -> None:
        from cms.publishing.clock import Job, every, register

        from . import conf
        from .tasks import pull_metrics_task

        # The worker's clock looks for posts whose metrics are due (cms.stats.pulling).
        seconds = conf.stats()["pull_every"]
        if seconds:
            register(Job("stats_pull_metrics", every(seconds), pull_metrics_task.enqueue))
