"""Background work of the handover, on the ``maintenance`` queue."""

from __future__ import annotations

from django_tasks import task

from . import forecast


@task(backend="relais", queue_name="maintenance")
def reminders_task() -> int:
    """The expiry reminders that are due (the clock asks every hour). Returns the number sent."""
    return forecast.send_reminders()
