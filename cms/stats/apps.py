from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "cms.stats"
    label = "stats"
    verbose_name = _("Statistiques")

    def ready(self) -> None:
        from cms.publishing.clock import Job, every, register
        from cms.publishing.recovery import rerunnable

        from . import conf
        from .tasks import pull_metrics_task

        rerunnable(
            pull_metrics_task,
            "it reads the posts that are due and stores a sample only when a number changed",
        )

        # The worker's clock looks for posts whose metrics are due (cms.stats.pulling).
        seconds = conf.stats()["pull_every"]
        if seconds:
            register(Job("stats_pull_metrics", every(seconds), pull_metrics_task.enqueue))
