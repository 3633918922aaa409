"""Background work of the ambassadors, on the ``maintenance`` queue."""

from __future__ import annotations

from django_tasks import task

from . import mail


@task(backend="relais", queue_name="maintenance")
def weekly_mail_task() -> int:
    """The weekly mails that are due (the clock asks every hour). Returns the number sent."""
    return mail.send_weekly()


@task(backend="relais", queue_name="maintenance")
def page_link_task(ambassador_id: int) -> bool:
    """Send an ambassador the link of their personal page (on creation, or asked from the
    admin). Returns whether a mail left (not for an inactive or deleted ambassador)."""
    return mail.send_page_link(ambassador_id)
