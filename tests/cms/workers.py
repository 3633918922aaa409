"""Real worker processes for the recovery tests: ``manage.py relais_worker`` started with
``subprocess`` (never fork: a forked copy of a threaded test process can hang), on the test's
database and folders, optionally stopped at a kill point (``tests/cms/killpoints``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from tests.support import ROOT

KILLPOINTS = Path(__file__).resolve().parent / "killpoints"


def database_url() -> str:
    """The URL of the test database (the one pytest-django made), for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_until(condition: Callable[[], Any], timeout: float, what: str, log: Callable[[], str]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not after {timeout} s.\n{log()}")


class WorkerProcess:
    """One ``relais_worker``; ``killpoint`` (``module:function``) stops it there."""

    def __init__(
        self,
        tmp_path: Path,
        name: str,
        *args: str,
        killpoint: str = "",
        when: str = "before",
        call: int = 1,
    ):
        self.name = name
        self.args = args
        self.log_path = tmp_path / f"{name}.log"
        self.marker = tmp_path / f"{name}.stopped-here"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.cms.worker_settings",
            "RELAIS_TASK_BACKEND": "database",
            "DATABASE_URL": database_url(),
            "RELAIS_VAR_DIR": str(tmp_path / "var"),
            "RELAIS_CONTENT_DIR": str(settings.RELAIS_CONTENT_DIR),
            "RELAIS_SITE_OUTPUT": str(settings.RELAIS_SITE_OUTPUT),
            "RELAIS_SITE_URL": settings.RELAIS_SITE_URL,
            "RELAIS_CMS_URL": settings.WAGTAILADMIN_BASE_URL,
            "PYTHONPATH": os.pathsep.join([str(KILLPOINTS), str(ROOT)]),
            "PYTHONUNBUFFERED": "1",
            # as deployed: a full build in a process of its own (the suite builds in-process)
            "RELAIS_FULL_BUILD_PROCESS": "1",
        }
        self.env.pop("RELAIS_TEST_DATABASE_URL", None)
        if killpoint:
            self.env.update(
                RELAIS_KILLPOINT=killpoint,
                RELAIS_KILLPOINT_WHEN=when,
                RELAIS_KILLPOINT_CALL=str(call),
                RELAIS_KILLPOINT_MARKER=str(self.marker),
            )
        self.proc: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self._log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "relais_worker", "--interval", "0.2", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        return f"--- {self.name} log ---\n" + self.log_path.read_text()[-6000:]

    def wait_for_killpoint(self, timeout: float = 60) -> None:
        def reached() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited before its kill point.\n{self.log()}")
            return self.marker.exists()

        wait_until(reached, timeout, f"{self.name} reaching its kill point", self.log)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the worker."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        assert self.proc.returncode == -signal.SIGKILL

    def stop(self) -> None:
        """A clean stop (what a service manager sends)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            # where each thread stands goes to the log (the worker's faulthandler), then it dies
            self.proc.send_signal(signal.SIGUSR1)
            time.sleep(2)
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(f"{self.name} did not stop on SIGTERM.\n{self.log()}") from None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if hasattr(self, "_log"):
            self._log.close()
