"""Background work of surveys, on the ``maintenance`` queue (as the newsletter's). Tasks take
ids, never addresses: nothing personal waits in the queue."""

from __future__ import annotations

from django_tasks import task

from .invitations import InvitationSender
from .models import SurveyPage
from .reminders import send_due_reminders


@task(backend="relais", queue_name="maintenance")
def send_invitations(page_id: int) -> dict[str, int]:
    """Invite the association's confirmed subscribers who were not invited yet, and send what
    is left pending."""
    survey = SurveyPage.objects.get(pk=page_id)
    return InvitationSender(survey).run()


@task(backend="relais", queue_name="maintenance")
def send_reminders() -> dict[str, int]:
    """Send the reminders that are due (the worker's clock asks every few minutes): once per
    person, to who was invited and has not answered (see :mod:`cms.surveys.reminders`)."""
    return send_due_reminders()
