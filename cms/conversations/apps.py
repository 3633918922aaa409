from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "cms.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from cms.publishing.clock import Job, every, register
        from cms.publishing.recovery import rerunnable

        from . import conf
        from .tasks import answer_task, digest_task, like_task, pull_task

        rerunnable(pull_task, "it reads from each account's cursor and stores a message once")
        rerunnable(answer_task, "the ledger looks the answer up on the network before resending")
        rerunnable(like_task, "liking twice is harmless on every network that allows it")
        rerunnable(digest_task, "it sends each person's mail once a day (the day is recorded)")

        # The worker's clock pulls every account's conversations and sends the daily mails.
        c = conf.conversations()
        if c["pull_every"]:
            register(Job("conversations_pull", every(c["pull_every"]), pull_task.enqueue))
        if c["digest_every"]:
            register(Job("conversations_digest", every(c["digest_every"]), digest_task.enqueue))
