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
        from .tasks import watch_alert_digest_task, watch_cycle_task, watch_weekly_review_task

        rerunnable(
            watch_cycle_task,
            "it checks the sources that are due; an entry already stored is never stored twice",
        )
        rerunnable(
            watch_alert_digest_task,
            "it sends each follower's mail once a day (the day is claimed before it leaves)",
        )
        rerunnable(
            watch_weekly_review_task,
            "each association's week is claimed by a unique row in the composition's transaction",
        )
        # The worker's clock runs a check cycle; each source has its own next check.
        seconds = conf.cycle_every()
        if seconds:
            register(Job("watch_cycle", every(seconds), watch_cycle_task.enqueue))
        # ... and looks for the alerts' daily mails that are due.
        if conf.alert_digest_every():
            register(
                Job(
                    "watch_alert_digest",
                    every(conf.alert_digest_every()),
                    watch_alert_digest_task.enqueue,
                )
            )
        # ... and composes the weekly press reviews whose time has come.
        if conf.review_every():
            register(
                Job(
                    "watch_weekly_review",
                    every(conf.review_every()),
                    watch_weekly_review_task.enqueue,
                )
            )
