from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "cms.members"
    label = "members"
    verbose_name = _("Adhésions")

    def ready(self) -> None:
        from cms.publishing.clock import Job, nightly, register
        from cms.publishing.recovery import rerunnable

        from . import tasks
        from .signals import signup_received

        signup_received.connect(tasks.queue_signup_emails, dispatch_uid="members-signup-emails")
        register(Job("members_purge_expired", nightly, tasks.purge_expired_signups.enqueue))
        rerunnable(tasks.purge_expired_signups, "it deletes what is past its retention period")
        # A worker killed while a mail was leaving: the person may get it twice, which is better
        # than a sign-up left unanswered.
        for mail in (
            tasks.send_signup_acknowledgement,
            tasks.notify_association,
            tasks.send_signup_notification,
        ):
            rerunnable(mail, "a mail sent twice is better than a sign-up left unanswered")
