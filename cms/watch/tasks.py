"""Background work of the watch, on the ``maintenance`` queue: the check cycle the worker's
clock enqueues every ``RELAIS_WATCH["cycle_every"]`` seconds, and the alerts' daily mails it
looks for every ``RELAIS_WATCH["alert_digest_every"]`` seconds (see :mod:`.apps`)."""

from __future__ import annotations

import logging

from django_tasks import task

from .alerts import send_alert_digests
from .checking import run_cycle
from .weekly import compose_due

logger = logging.getLogger(__name__)


@task(backend="relais", queue_name="maintenance")
def watch_cycle_task() -> dict[str, int]:
    """Check every association's due sources; what it did, in numbers."""
    outcomes = run_cycle()
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        logger.info("watch: source %s: %s", outcome.source_id, outcome.reason)
    return {
        "checked": len(outcomes),
        "failed": len(failed),
        "new_entries": sum(o.new for o in outcomes),
    }


@task(backend="relais", queue_name="maintenance")
def watch_alert_digest_task() -> int:
    """Send the alerts' daily mails that are due (at most one a day per person)."""
    return send_alert_digests()


@task(backend="relais", queue_name="maintenance")
def watch_weekly_review_task() -> dict[str, int]:
    """Compose the weekly press reviews whose time has come, once a week per association, and
    tell the editors (:mod:`.weekly`)."""
    return compose_due()
