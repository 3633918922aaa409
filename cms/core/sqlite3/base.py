"""Django's SQLite backend for a process with many threads writing: one writer at a time per
process, waiting its turn on a lock instead of polling SQLite's.

SQLite lets one connection write at a time. The others wait in SQLite's busy handler, which
sleeps and tries again, longer and longer (1, 2, 5, … up to 100 ms): with tens of threads each
writing a few short statements (the worker's fan-out: claim, ledger, budgets, result), the
file's lock sat free while the waiters slept, and the posts spent more time in those sleeps
than waiting for the networks. Here each write of the process first takes a lock shared by
the process's connections to the same file: a transaction holds it from its ``BEGIN
IMMEDIATE`` (the project's ``transaction_mode``) to its commit or rollback, a write in
autocommit mode for its statement. A waiting thread starts the moment the writer before it is
done. Other processes (the web server, other workers) still meet at SQLite's own lock, with
its busy timeout; a thread that waits longer than that timeout for this lock goes on without
it, to SQLite's lock (and its error), as before.

``settings.DATABASES[...]["ENGINE"] = "cms.core.sqlite3"`` (:mod:`cms.settings.base` sets it
for a SQLite ``DATABASE_URL``).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.sqlite3 import base

#: The first word of the statements that write (in autocommit mode: each is its own transaction).
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def writer_lock(name: str) -> threading.Lock:
    """The lock of the process's writers to the database file ``name``."""
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The writer lock this connection holds for its open transaction, if any.
        self.held_writer: threading.Lock | None = None

    @property
    def writer(self) -> threading.Lock:
        """The lock of the writers to this connection's file (the test database's, once the
        tests made it: the name is read at each use)."""
        return writer_lock(str(self.settings_dict["NAME"]))

    @property
    def holds_writer(self) -> bool:
        return self.held_writer is not None

    @property
    def busy_timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def take_writer(self) -> threading.Lock | None:
        """Wait for this process's other writers (at most the busy timeout): the lock taken,
        or None."""
        lock = self.writer
        return lock if lock.acquire(timeout=self.busy_timeout) else None

    def _start_transaction_under_autocommit(self) -> None:
        self.held_writer = self.take_writer()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._give_writer()
            raise

    def _give_writer(self) -> None:
        lock, self.held_writer = self.held_writer, None
        if lock is not None:
            lock.release()

    def _commit(self) -> None:
        super()._commit()  # on an error the transaction is still open: rolled back next
        self._give_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._give_writer()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._give_writer()

    def create_cursor(self, name: str | None = None) -> WriterCursor:
        cursor = self.connection.cursor(factory=WriterCursor)
        cursor.db = self
        return cursor


class WriterCursor(base.SQLiteCursorWrapper):
    """A cursor whose writes in autocommit mode wait for the process's other writers."""

    db: DatabaseWrapper

    def _alone(self, query: str) -> bool:
        return (
            not self.db.holds_writer
            and not self.connection.in_transaction
            and query.lstrip()[:7].upper().startswith(WRITES)
        )

    def execute(self, query: str, params: Any = None) -> Any:
        if not self._alone(query):
            return super().execute(query, params)
        taken = self.db.take_writer()
        try:
            return super().execute(query, params)
        finally:
            if taken is not None:
                taken.release()

    def executemany(self, query: str, param_list: Any) -> Any:
        if not self._alone(query):
            return super().executemany(query, param_list)
        taken = self.db.take_writer()
        try:
            return super().executemany(query, param_list)
        finally:
            if taken is not None:
                taken.release()
