"""The SQLite backend of the project (``cms.core.sqlite3``): the threads of one process take
turns to write on a lock of the process, held from a transaction's ``BEGIN`` to its end (or for
one statement in autocommit mode) and never left behind by a commit, a rollback or a close."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F

from cms.core.models import RateCounter
from cms.core.sqlite3 import base as sqlite_base

# with PostgreSQL (RELAIS_TEST_DATABASE_NAME, DATABASE_URL) there is no such lock to test
pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "cms.core.sqlite3",
    reason="the test database is PostgreSQL",
)

FAR = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def in_thread(fn, *args, name: str | None = None) -> threading.Thread:
    """Run ``fn`` in a thread with its own connection, closed at the end."""

    def run() -> None:
        try:
            fn(*args)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_a_transaction_holds_the_writer_lock_until_it_ends(transactional_db):
    writer = connection.writer
    assert not writer.locked()
    with transaction.atomic():
        RateCounter.objects.create(key="a", window_end=FAR, count=0)
        assert writer.locked() and connection.holds_writer
        with transaction.atomic():  # a savepoint: still the same transaction's lock
            RateCounter.objects.filter(key="a").update(count=1)
        assert writer.locked()
    assert not writer.locked() and not connection.holds_writer
    with pytest.raises(ValueError), transaction.atomic():
        RateCounter.objects.create(key="b", window_end=FAR, count=0)
        raise ValueError("rolled back")
    assert not writer.locked()
    assert list(RateCounter.objects.values_list("key", "count")) == [("a", 1)]
    # a connection closed inside a transaction gives the lock back too
    atomic = transaction.atomic()
    atomic.__enter__()
    RateCounter.objects.filter(key="a").update(count=2)
    assert writer.locked()
    connection.close()
    assert not writer.locked()
    atomic.__exit__(None, None, None)  # the transaction is gone with its connection
    assert RateCounter.objects.get(key="a").count == 1
    assert not writer.locked()


class RecordingLock:
    """The writer lock, noting which threads asked for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.asked: list[str] = []

    def acquire(self, timeout: float = -1) -> bool:
        self.asked.append(threading.current_thread().name)
        return self.lock.acquire(timeout=timeout)

    def release(self) -> None:
        self.lock.release()

    def locked(self) -> bool:
        return self.lock.locked()


def test_a_write_waits_for_the_transaction_of_another_thread(transactional_db, monkeypatch):
    recording = RecordingLock()
    monkeypatch.setattr(sqlite_base, "_locks", {str(connection.settings_dict["NAME"]): recording})
    RateCounter.objects.create(key="n", window_end=FAR, count=0)
    assert recording.asked == ["MainThread"]  # a write in autocommit mode takes the lock too
    inside, leave = threading.Event(), threading.Event()
    events: list[str] = []

    def long_transaction() -> None:
        with transaction.atomic():
            RateCounter.objects.filter(key="n").update(count=F("count") + 1)
            inside.set()
            leave.wait(10)
            events.append("commit")

    def one_write() -> None:
        RateCounter.objects.filter(key="n").update(count=F("count") * 10)
        events.append("write")

    first = in_thread(long_transaction, name="first")
    assert inside.wait(10)
    second = in_thread(one_write, name="second")
    second.join(0.3)
    # the write waits on the process's lock (SQLite's busy handler is never reached)...
    assert second.is_alive() and events == [] and recording.locked()
    assert recording.asked == ["MainThread", "first", "second"]
    leave.set()
    first.join(10)
    second.join(10)
    # ...and goes once the transaction committed, on what it wrote
    assert events == ["commit", "write"]
    assert RateCounter.objects.get(key="n").count == 10
    assert not connection.writer.locked()


def test_many_threads_writing_at_once_lose_nothing(transactional_db):
    RateCounter.objects.create(key="total", window_end=FAR, count=0)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                if i % 2:
                    RateCounter.objects.filter(key="total").update(count=F("count") + 1)
                else:
                    with transaction.atomic():
                        row = RateCounter.objects.get(key="total")
                        row.count += 1
                        row.save(update_fields=["count"])
                        RateCounter.objects.create(key=f"t{n}-{i}", window_end=FAR, count=i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [in_thread(work, n) for n in range(12)]
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert RateCounter.objects.get(key="total").count == 12 * 20
    assert RateCounter.objects.exclude(key="total").count() == 12 * 10
    assert not connection.writer.locked()


def test_a_writer_that_waits_too_long_goes_on_to_sqlites_own_lock(transactional_db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    RateCounter.objects.create(key="x", window_end=FAR, count=0)
    connection.writer.acquire()  # held by a writer that never gives it back (a bug elsewhere)
    try:
        RateCounter.objects.filter(key="x").update(count=5)  # not stuck: SQLite is free
        with transaction.atomic():
            RateCounter.objects.filter(key="x").update(count=F("count") + 1)
            assert not connection.holds_writer
    finally:
        connection.writer.release()
    assert RateCounter.objects.get(key="x").count == 6
