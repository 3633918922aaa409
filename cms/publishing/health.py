"""The installation's health, in one query shared by the admin's **Santé** page, ``manage.py
relais_health`` and the ``/health/`` endpoint for monitoring.

:func:`check` looks at:

- **the workers**: registered ones alive, and dead ones still registered (the recovery forgets
  them once it has closed what they left, :mod:`cms.publishing.recovery`);
- **the queues**: tasks waiting per queue and how long the oldest one has waited (the database
  queue through django-tasks-db's rows; RQ through its Redis queues when that backend runs);
- **the clock**: which worker holds its lease;
- **the sites**: each association's last build (state, when, how long) and whether its live
  site is behind its content;
- what other apps add with :func:`register_figure` (syndication: failing posts).

Each finding is a *problem* (the installation is unhealthy: the page says so, the command exits
with 1, the endpoint answers 503) or a *warning* (shown, healthy still). Thresholds are in
``RELAIS_HEALTH`` (:func:`cms.publishing.conf.health`). Nothing here shows a task's arguments,
a queue's address or a credential: only counts, names and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, Min, OuterRef, Subquery, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task_backends
from django_tasks.backends.dummy import DummyBackend
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max
from wagtail.models import Site

from . import conf
from .clock import lease_holder
from .models import BuildRecord, SiteState, Worker
from .recovery import BACKEND, WAGTAIL_BACKEND, database_backends
from .workers import Liveness

try:  # the `rq` extra: only there when the Redis queue may be used
    import django_rq
    from redis.exceptions import RedisError
    from rq.job import Job as RQJob
except ImportError:  # pragma: no cover - installations without the extra
    django_rq = None


@dataclass(frozen=True)
class Finding:
    code: str  # stable, for monitoring rules
    message: str  # for people, in the admin's language


@dataclass
class WorkerState:
    id: str
    host: str
    role: str
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    alive: bool


@dataclass
class QueueState:
    name: str
    waiting: int
    running: int | None  # None: the backend does not say
    oldest_waiting_s: float | None


@dataclass
class SiteHealth:
    site_id: int
    name: str
    content_version: int
    live_version: int
    last_build_status: str  # "" when never built
    last_build_started_at: dt.datetime | None
    last_build_finished_at: dt.datetime | None
    last_build_seconds: float | None
    last_build_kind: str
    #: the last build succeeded but its copy to object storage did not finish
    deploy_failed: bool = False

    @property
    def behind(self) -> bool:
        return self.content_version > self.live_version


@dataclass
class Report:
    checked_at: dt.datetime
    backend: str
    workers_needed: bool
    workers: list[WorkerState]
    clock_holder: str
    queues: list[QueueState]
    sites: list[SiteHealth]
    figures: dict[str, int]
    problems: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def alive(self) -> list[WorkerState]:
        return [w for w in self.workers if w.alive]

    @property
    def dead(self) -> list[WorkerState]:
        return [w for w in self.workers if not w.alive]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates in ISO 8601, durations in seconds."""

        def plain(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return plain(
            {
                "healthy": self.healthy,
                "checked_at": self.checked_at,
                "backend": self.backend,
                "problems": [asdict(f) for f in self.problems],
                "warnings": [asdict(f) for f in self.warnings],
                "workers": {
                    "alive": [asdict(w) for w in self.alive],
                    "dead": [asdict(w) for w in self.dead],
                },
                "clock_holder": self.clock_holder,
                "queues": [asdict(q) for q in self.queues],
                "sites": [{**asdict(s), "behind": s.behind} for s in self.sites],
                "figures": self.figures,
            }
        )


# -- what other apps add ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    name: str
    count: Callable[[], int]
    #: a warning when the count is above 0, e.g. "%(count)s publications en échec"; its
    #: ``code`` is the figure's name
    warning: Callable[[int], str] | None = None


FIGURES: dict[str, Figure] = {}


def register_figure(figure: Figure) -> None:
    """Add a count to every health check (replacing one of the same name)."""
    FIGURES[figure.name] = figure


# -- the parts ----------------------------------------------------------------------------------


def workers(liveness: Liveness | None = None) -> list[WorkerState]:
    """Every registered worker, alive or dead, oldest first."""
    liveness = liveness or Liveness()
    return [
        WorkerState(
            id=w.pk,
            host=w.host,
            role=w.role,
            started_at=w.started_at,
            heartbeat_at=w.heartbeat_at,
            alive=not liveness.worker_is_dead(w),
        )
        for w in sorted(liveness.workers.values(), key=lambda w: (w.started_at, w.pk))
    ]


def alive_workers(liveness: Liveness | None = None) -> list[Worker]:
    return (liveness or Liveness()).alive()


def clock_holder(now: dt.datetime | None = None) -> str:
    return lease_holder(now)


def backend_name(alias: str = BACKEND) -> str:
    """What the task backend ``alias`` is: "database", "rq", "immediate", "dummy" (or its
    class's name)."""
    backend = task_backends[alias]
    if isinstance(backend, DatabaseBackend):
        return "database"
    if isinstance(backend, ImmediateBackend):
        return "immediate"
    if isinstance(backend, DummyBackend):
        return "dummy"
    return "rq" if type(backend).__name__ == "RQBackend" else type(backend).__name__


def workers_needed() -> bool:
    """Whether something waits for a worker: every queue but the immediate (and dummy) one;
    with RQ, ``relais_worker --clock-only`` registers itself and keeps the clock."""
    return backend_name() not in ("immediate", "dummy")


def _queue_names() -> list[str]:
    """The project's queues, then Wagtail's own when its tasks are queued (not run at once)."""
    names = list(getattr(settings, "RELAIS_QUEUES", ["default"]))
    wagtail = getattr(settings, "WAGTAIL_TASKS_QUEUE", "")
    queued = backend_name(WAGTAIL_BACKEND) not in ("immediate", "dummy")
    if wagtail and queued and wagtail not in names:
        names.append(wagtail)
    return names


def database_queues(now: dt.datetime) -> list[QueueState]:
    """Tasks waiting (ready and due) and running in each queue of the database backend."""
    rows = DBTaskResult.objects.filter(backend_name__in=database_backends())
    waiting = (
        rows.ready()
        .annotate(
            # a task to run after a date waits from that date, not from its enqueueing
            since=Case(
                When(run_after=get_date_max(), then=F("enqueued_at")),
                default=Greatest("enqueued_at", "run_after"),
            )
        )
        .values("queue_name")
        .annotate(n=Count("pk"), oldest=Min("since"))
    )
    running = (
        rows.filter(status=TaskResultStatus.RUNNING)
        .values("queue_name")
        .annotate(n=Count("pk"))
        .values_list("queue_name", "n")
    )
    found = {r["queue_name"]: r for r in waiting}
    busy = dict(running)
    return [
        QueueState(
            name=name,
            waiting=found[name]["n"] if name in found else 0,
            running=busy.get(name, 0),
            oldest_waiting_s=(
                max(0.0, (now - found[name]["oldest"]).total_seconds()) if name in found else None
            ),
        )
        for name in dict.fromkeys([*_queue_names(), *found, *busy])
    ]


def rq_queues(now: dt.datetime) -> list[QueueState]:
    """Jobs waiting in each RQ queue, and the age of the first in line (a job scheduled for
    later is in RQ's scheduled registry, not in the queue, and is not counted)."""
    if django_rq is None:
        raise RuntimeError("the RQ backend needs the `rq` extra: pip install 'relais[rq]'")
    states = []
    for name in _queue_names():
        queue = django_rq.get_queue(name)
        count = queue.count
        oldest = None
        first = queue.get_job_ids(0, 1)
        if first:
            job = RQJob.fetch(first[0], connection=queue.connection)
            if job.enqueued_at is not None:
                at = job.enqueued_at
                if timezone.is_naive(at):
                    at = at.replace(tzinfo=dt.UTC)
                oldest = max(0.0, (now - at).total_seconds())
        states.append(QueueState(name=name, waiting=count, running=None, oldest_waiting_s=oldest))
    return states


def sites() -> list[SiteHealth]:
    """Each site's counters and last build (two queries, however many sites)."""
    last = BuildRecord.objects.filter(site=OuterRef("pk")).order_by("-started_at", "-pk")
    rows = list(
        Site.objects.order_by("-is_default_site", "site_name", "pk").annotate(
            last_build=Subquery(last.values("pk")[:1])
        )
    )
    builds = BuildRecord.objects.in_bulk([s.last_build for s in rows if s.last_build])
    states = {s.site_id: s for s in SiteState.objects.all()}
    found = []
    for site in rows:
        build = builds.get(site.last_build)
        state = states.get(site.pk)
        found.append(
            SiteHealth(
                site_id=site.pk,
                name=site.site_name or site.hostname,
                content_version=state.content_version if state else 0,
                live_version=state.built_version if state else 0,
                last_build_status=build.status if build else "",
                last_build_started_at=build.started_at if build else None,
                last_build_finished_at=build.finished_at if build else None,
                last_build_seconds=build.seconds if build else None,
                last_build_kind=build.kind if build else "",
                deploy_failed=bool(build and build.deploy_failed),
            )
        )
    return found


# -- the check ----------------------------------------------------------------------------------


def check(now: dt.datetime | None = None) -> Report:
    """Everything above, judged: see the module's docstring."""
    now = now or timezone.now()
    limits = conf.health()
    liveness = Liveness(now)
    backend = backend_name()
    report = Report(
        checked_at=now,
        backend=backend,
        workers_needed=workers_needed(),
        workers=workers(liveness),
        clock_holder=clock_holder(now),
        queues=[],
        sites=sites(),
        figures={},
    )
    problem, warn = report.problems.append, report.warnings.append

    if report.workers_needed and not report.alive:
        problem(
            Finding(
                "no_worker",
                _("Aucun worker ne tourne : lancez « manage.py relais_worker » sur un serveur."),
            )
        )
    elif report.workers_needed and not report.clock_holder:
        problem(
            Finding(
                "no_clock",
                _(
                    "Aucun worker ne tient l'horloge : les publications programmées et la "
                    "reprise attendent. Vérifiez que les workers ne sont pas lancés avec "
                    "« --no-clock »."
                ),
            )
        )
    for worker in report.dead:
        warn(
            Finding(
                "dead_worker",
                _(
                    "Le worker %(worker)s (%(host)s) ne donne plus signe de vie depuis le "
                    "%(when)s : la reprise relancera ce qu'il faisait."
                )
                % {
                    "worker": worker.id,
                    "host": worker.host,
                    "when": timezone.localtime(worker.heartbeat_at).strftime("%d/%m/%Y %H:%M:%S"),
                },
            )
        )

    try:
        if backend == "database":
            report.queues = database_queues(now)
        elif backend == "rq":
            report.queues = rq_queues(now)
    except Exception as error:  # an unreachable Redis: say so, without its address
        if django_rq is None or not isinstance(error, RedisError):
            raise
        problem(
            Finding(
                "queue_unreachable",
                _(
                    "La file Redis ne répond pas (%(error)s) : vérifiez RELAIS_REDIS_URL et que "
                    "Redis tourne."
                )
                % {"error": type(error).__name__},
            )
        )
    for queue in report.queues:
        if queue.oldest_waiting_s is not None and queue.oldest_waiting_s > limits["queue_max_age"]:
            problem(
                Finding(
                    "queue_late",
                    _(
                        "La file « %(queue)s » a %(count)s tâche(s) en attente, la plus ancienne "
                        "depuis %(minutes)s min : ajoutez un worker ou regardez pourquoi ils "
                        "n'avancent pas."
                    )
                    % {
                        "queue": queue.name,
                        "count": queue.waiting,
                        "minutes": int(queue.oldest_waiting_s // 60),
                    },
                )
            )

    for site in report.sites:
        if site.deploy_failed:
            problem(
                Finding(
                    "deploy_failed",
                    _(
                        "Le site « %(site)s » a été construit, mais sa copie dans le stockage "
                        "objet n'est pas terminée : vérifiez l'accès au stockage (RELAIS_S3_*) ; "
                        "la prochaine construction, ou la reprise, la termine."
                    )
                    % {"site": site.name},
                )
            )
        elif site.last_build_status == BuildRecord.Status.FAILED:
            problem(
                Finding(
                    "build_failed",
                    _(
                        "La dernière construction du site « %(site)s » a échoué : le site en "
                        "ligne n'a pas changé. Voyez l'erreur sous « Site public »."
                    )
                    % {"site": site.name},
                )
            )
        elif site.last_build_status == BuildRecord.Status.ABANDONED:
            warn(
                Finding(
                    "build_abandoned",
                    _(
                        "La dernière construction du site « %(site)s » a été interrompue : la "
                        "reprise la relance."
                    )
                    % {"site": site.name},
                )
            )

    for figure in FIGURES.values():
        count = figure.count()
        report.figures[figure.name] = count
        if count and figure.warning is not None:
            warn(Finding(figure.name, figure.warning(count)))
    return report
