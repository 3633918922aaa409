from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "cms.members"
    label = "members"
    verbose_name = _("Adhésions")

    def ready(self) -> None:
        from cms.publishing.clock import Job, nightly, register

        from .tasks import purge_expired_signups

        register(Job("members_purge_expired", nightly, purge_expired_signups.enqueue))
