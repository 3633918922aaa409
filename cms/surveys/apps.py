from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "cms.surveys"
    label = "surveys"
    verbose_name = _("Enquêtes")

    def ready(self) -> None:
        from cms.publishing.clock import Job, every, register
        from cms.publishing.recovery import rerunnable

        from . import tasks
        from .exports import SurveyAnswersListView
        from .models import SurveyPage

        # Wagtail's listing of the answers, with its exports made safe (cms.surveys.exports)
        SurveyPage.submissions_list_view_class = SurveyAnswersListView

        # The ledger of invitations claims each row before its mail leaves: a rerun sends what
        # is still pending, never a row already claimed.
        rerunnable(tasks.send_invitations, "each invitation is claimed before its mail leaves")
        rerunnable(tasks.send_reminders, "each reminder is claimed before its mail leaves")
        # The worker's clock looks for the reminders due (a few days before a survey closes).
        register(Job("surveys_reminders", every(900), tasks.send_reminders.enqueue))
