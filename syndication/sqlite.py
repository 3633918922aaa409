"""A :class:`~syndication.ledger.Ledger` in a SQLite file (standard library ``sqlite3``).

WAL journal, one connection per thread, and every update a single ``UPDATE ... WHERE version = ?``
inside ``BEGIN IMMEDIATE``: safe across threads and processes on one machine. Used by the CLI and
the library's tests; the Django side keeps its ledger in its own database.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from syndication.ledger import MUTABLE_FIELDS, LedgerEntry, State

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    item_key   TEXT NOT NULL,
    account    TEXT NOT NULL,
    network    TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    attempt    INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT,
    attempted_at TEXT,
    remote_id  TEXT NOT NULL DEFAULT '',
    remote_url TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    retry_at   TEXT,
    PRIMARY KEY (item_key, account)
);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (state);
"""
_COLUMNS = (
    "item_key",
    "account",
    "network",
    "state",
    "attempt",
    "version",
    "updated_at",
    "attempted_at",
    "remote_id",
    "remote_url",
    "reason",
    "retry_at",
)


class SQLiteLedger:
    """The ledger in the SQLite file ``path`` (created if missing)."""

    def __init__(self, path: str | Path, timeout: float = 30.0):
        self.path = str(path)
        self.timeout = timeout
        self._local = threading.local()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"<SQLiteLedger {self.path}>"

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute("PRAGMA synchronous = FULL")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> LedgerEntry:
        data = dict(zip(_COLUMNS, row, strict=True))
        for key in ("updated_at", "attempted_at", "retry_at"):
            data[key] = dt.datetime.fromisoformat(data[key]) if data[key] else None
        data["state"] = State(data["state"])
        return LedgerEntry(**data)

    def _select(self, conn: sqlite3.Connection, item_key: str, account: str) -> LedgerEntry | None:
        row = conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM deliveries WHERE item_key = ? AND account = ?",  # noqa: S608
            (item_key, account),
        ).fetchone()
        return self._entry(row) if row else None

    def get(self, item_key: str, account: str) -> LedgerEntry | None:
        return self._select(self._connect(), item_key, account)

    def get_or_create(self, item_key: str, account: str, network: str) -> LedgerEntry:
        conn = self._connect()
        conn.execute(
            "INSERT OR IGNORE INTO deliveries (item_key, account, network) VALUES (?, ?, ?)",
            (item_key, account, network),
        )
        entry = self._select(conn, item_key, account)
        assert entry is not None
        return entry

    def update(self, entry: LedgerEntry, **changes: Any) -> LedgerEntry | None:
        unknown = set(changes) - set(MUTABLE_FIELDS)
        if unknown:
            raise TypeError(f"Ledger fields that cannot be changed: {', '.join(sorted(unknown))}")
        new = entry.changed(**changes)
        values = []
        for key in MUTABLE_FIELDS:
            value = getattr(new, key)
            values.append(value.isoformat() if isinstance(value, dt.datetime) else value)
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                f"UPDATE deliveries SET {', '.join(f'{k} = ?' for k in MUTABLE_FIELDS)}, "  # noqa: S608
                "version = ? WHERE item_key = ? AND account = ? AND version = ?",
                (*values, new.version, entry.item_key, entry.account, entry.version),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return new if cursor.rowcount == 1 else None

    def unfinished(self) -> Iterator[LedgerEntry]:
        rows = (
            self._connect()
            .execute(
                f"SELECT {', '.join(_COLUMNS)} FROM deliveries "  # noqa: S608
                "WHERE state IN ('pending', 'sending', 'needs_check') ORDER BY item_key, account"
            )
            .fetchall()
        )
        return iter([self._entry(r) for r in rows])

    def all(self) -> list[LedgerEntry]:
        rows = (
            self._connect()
            .execute(
                f"SELECT {', '.join(_COLUMNS)} FROM deliveries ORDER BY item_key, account"  # noqa: S608
            )
            .fetchall()
        )
        return [self._entry(r) for r in rows]
