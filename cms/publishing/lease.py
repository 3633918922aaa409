"""One build per site at a time, across every worker of the installation.

Two workers (on one machine or several, on the database queue or on RQ) may each take a build
task of the same site: both would write the same standby tree. So a build first takes the
site's :class:`~.models.BuildLease`, the way the clock takes its own (:mod:`.clock`): one
``UPDATE … WHERE holder = '' OR expires_at < now`` (or the ``INSERT`` of the site's first row),
so two builds never both hold it. The build renews it every third of ``build_lease`` while it
runs and releases it when it ends. A holder that died is found out two ways: its lease expires
(nobody renews it), or, sooner, the worker registry knows it dead (:class:`.workers.Liveness`:
its process is gone from this machine, or its heartbeat stopped); then the lease is taken over
by a compare-and-set on the holder's token.

The lease also tells a warm builder that it is stale: its ``builder`` column names the warm
builder that last built the site (written before it starts, so a build killed half-way counts
too). A worker whose builder is not the one named there drops its model and adopts the live
site again (or builds everything) before it publishes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import threading
import time
from types import TracebackType

from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from . import conf
from .models import BuildLease
from .workers import HOST, Liveness, current_worker_id

logger = logging.getLogger(__name__)

_process_holder = ""


def holder_id() -> str:
    """The registered worker's id, or one for this process (``manage.py build_site``, an RQ
    worker started by hand): such a holder is judged by its lease's expiry only."""
    global _process_holder
    worker = current_worker_id()
    if worker:
        return worker
    if not _process_holder:
        _process_holder = f"{HOST[:40]}-{os.getpid()}-{secrets.token_hex(4)}"
    return _process_holder


class Lease:
    """A site's build lease, held: renewed by a thread until it is released."""

    def __init__(self, row: BuildLease, seconds: float, previous_builder: str):
        self.site_id = row.site_id
        self.holder = row.holder
        self.token = row.token
        self.seconds = seconds
        #: the warm builder that built the site last ("" when none is known)
        self.previous_builder = previous_builder
        self.lost = threading.Event()
        self._stopped = threading.Event()
        self._renewal = threading.Thread(
            target=self._renew_until_released,
            name=f"relais-build-lease-{self.site_id}",
            daemon=True,
        )
        self._renewal.start()

    def mark_builder(self, builder: str) -> None:
        """Name the warm builder about to build the site (before it writes anything)."""
        BuildLease.objects.filter(site_id=self.site_id, token=self.token).update(builder=builder)

    def renew(self) -> bool:
        expires = timezone.now() + dt.timedelta(seconds=self.seconds)
        renewed = BuildLease.objects.filter(site_id=self.site_id, token=self.token).update(
            expires_at=expires
        )
        if not renewed and not self.lost.is_set():
            self.lost.set()
            logger.warning(
                "The build lease of site %s was taken over while this build ran (it was "
                "paused longer than RELAIS_WORKERS['build_lease']): raise that setting.",
                self.site_id,
            )
        return bool(renewed)

    def _renew_until_released(self) -> None:
        try:
            while not self._stopped.wait(self.seconds / 3):
                try:
                    self.renew()
                except Exception:  # a locked database: the next renewal will do
                    logger.exception("Could not renew the build lease of site %s", self.site_id)
        finally:
            close_old_connections()

    def release(self) -> None:
        self._stopped.set()
        if self._renewal is not threading.current_thread():
            self._renewal.join(10)
        BuildLease.objects.filter(site_id=self.site_id, token=self.token).update(
            holder="", token="", expires_at=timezone.now()
        )

    def __enter__(self) -> Lease:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def take(
    site_id: int, seconds: float | None = None, now: dt.datetime | None = None
) -> Lease | None:
    """Take the build lease of a site at once; None while a live build holds it."""
    seconds = seconds if seconds is not None else conf.workers()["build_lease"]
    now = now or timezone.now()
    holder, token = holder_id(), secrets.token_hex(16)
    claim = {"holder": holder, "token": token, "expires_at": now + dt.timedelta(seconds=seconds)}
    row = BuildLease.objects.filter(site_id=site_id).first()
    if row is None:
        try:
            with transaction.atomic():
                BuildLease.objects.create(site_id=site_id, **claim)
        except IntegrityError:  # another build created it first
            return None
        return Lease(BuildLease(site_id=site_id, **claim), seconds, "")
    free = Q(holder="") | Q(expires_at__lt=now)
    if not (row.holder == "" or row.expires_at < now) and _holder_dead(row, now):
        free = Q(holder=row.holder, token=row.token)  # taken over from a dead worker
        logger.warning(
            "Worker %s died while building site %s: its build lease is taken over.",
            row.holder,
            site_id,
        )
    if not BuildLease.objects.filter(free, site_id=site_id, builder=row.builder).update(**claim):
        return None
    return Lease(BuildLease(site_id=site_id, **claim), seconds, row.builder)


def _holder_dead(row: BuildLease, now: dt.datetime) -> bool:
    liveness = Liveness(now)
    worker = liveness.workers.get(row.holder)
    return worker is not None and liveness.worker_is_dead(worker)


def acquire(site_id: int, wait: float | None, poll: float = 0.2) -> Lease | None:
    """Take the build lease of a site, waiting up to ``wait`` seconds (for ever with None)
    while another build holds it; None if it is still held then."""
    deadline = None if wait is None else time.monotonic() + wait
    while True:
        lease = take(site_id)
        if lease is not None:
            return lease
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(poll)


def lease_holder(site_id: int, now: dt.datetime | None = None) -> str:
    """The worker building the site now ("" when none is)."""
    row = BuildLease.objects.filter(site_id=site_id).first()
    if row is None or not row.holder or row.expires_at < (now or timezone.now()):
        return ""
    return row.holder
