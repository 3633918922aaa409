from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: What an association's administrators may do with its letter (each view also checks that
#: the site is theirs).
PERMISSIONS = [
    "newsletter.view_subscriber",
    "newsletter.add_subscriber",
    "newsletter.change_subscriber",
    "newsletter.view_digest",
    "newsletter.change_digest",
]


class NewsletterConfig(AppConfig):
    name = "cms.newsletter"
    label = "newsletter"
    verbose_name = _("Lettre d'information")

    def ready(self) -> None:
        from cms.core.models import SITE_CONFIG_FIELDS
        from cms.federation.roles import ADMINISTRATORS, ROLE_PERMISSIONS
        from cms.publishing.clock import Job, every_minute, register
        from cms.publishing.recovery import rerunnable

        from . import signal_handlers, tasks

        signal_handlers.connect()
        ROLE_PERMISSIONS[ADMINISTRATORS].extend(
            p for p in PERMISSIONS if p not in ROLE_PERMISSIONS[ADMINISTRATORS]
        )
        SITE_CONFIG_FIELDS.append(signal_handlers.site_config_fields)
        register(Job("newsletter_tick", every_minute, tasks.newsletter_tick.enqueue))
        rerunnable(
            tasks.send_digest,
            "each delivery is claimed once: rows already attempted are never sent again",
        )
        rerunnable(tasks.newsletter_tick, "composing is claimed per slot, sending per delivery")
        rerunnable(
            tasks.update_archive_task,
            "the page is written from the letters sent; the same page again changes nothing",
        )
        rerunnable(
            tasks.send_confirmation,
            "a confirmation mail sent twice is better than a subscription left waiting",
        )
