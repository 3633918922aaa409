"""Every address the site ever published stays valid: the address book.

An item's address (``/actualites/nomination/``) is posted on six networks, in newsletters and
in search engines the day it goes live. When the item later moves (a new slug, a renamed file)
or is withdrawn, that address must not answer "not found". The builder keeps a book of the
addresses it published (a small SQLite file beside the live trees, ``builds/addresses.sqlite3``)
and, for each address no item holds any more, writes:

- a **redirect page** to the item's new address when the item is still on the site (found by its
  identity, below), or when the address it moved to earlier has itself moved on;
- a **"retiré" page** (withdrawn) otherwise: the item's last title and a way back to its section.

An item is known by **identity keys**, any of which ties an old address to a new one: the CMS
page it was exported from (``cms:<id>``, authoritative when present), its title and date, and a
long enough body (a renamed hand-written file keeps both). The book records an address's keys
while it is live, so the match works after the old file is gone.

The book is written before a publication switches the live site: an address is never live
without being in the book. Resolving depends only on the book and the items, so a full build
and an incremental update from the same book give the same pages (``tests/site``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILENAME = "addresses.sqlite3"
LIVE, MOVED, GONE = "live", "moved", "gone"
#: A body shorter than this is too common ("Texte.") to tell two items apart.
MIN_BODY_FOR_IDENTITY = 280
#: How many moves a chain of old addresses may go through before it is called gone.
MAX_CHAIN = 32

_SCHEMA = """
CREATE TABLE IF NOT EXISTS address (
    path TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    section TEXT NOT NULL,
    keys TEXT NOT NULL,
    state TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS address_key (
    key TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (key, path)
);
CREATE INDEX IF NOT EXISTS address_target ON address (target);
"""


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=12).hexdigest()


def identity_keys(title: str, date: str, body: str, cms_id: int | None = None) -> tuple[str, ...]:
    """The keys an item is known by, whatever its address (see the module's docstring)."""
    keys = []
    if cms_id is not None:
        keys.append(f"cms:{cms_id}")
    keys.append(f"title:{_digest(title.strip(), date)}")
    text = body.strip()
    if len(text) >= MIN_BODY_FOR_IDENTITY:
        keys.append(f"body:{_digest(text)}")
    return tuple(keys)


@dataclass(frozen=True)
class Entry:
    """An address as the book keeps it: what was there when it was last live, and what it has
    become (``live``, ``moved`` to ``target``, or ``gone``)."""

    path: str  # relative to the site's root, ending with "/" ("actualites/nomination/")
    title: str
    section: str  # the item's section key ("" for a page outside the sections)
    keys: tuple[str, ...]
    state: str = LIVE
    target: str = ""

    def becomes(self, state: str, target: str = "") -> Entry:
        return Entry(self.path, self.title, self.section, self.keys, state, target)


class AddressBook:
    """The addresses a site published, in a SQLite file. ``None`` as the path: a book that
    remembers nothing (a build without the Relais builder, e.g. plain ``pelican``)."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.executescript(_SCHEMA)
            with db:  # one transaction: committed, or rolled back on error
                yield db
        finally:
            db.close()

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> Entry:
        path, title, section, keys, state, target = row
        return Entry(path, title, section, tuple(json.loads(keys)), state, target)

    def entries(self, paths: Iterable[str] | None = None) -> dict[str, Entry]:
        """The entries of ``paths`` (all of them with ``None``)."""
        if self.path is None or not self.path.exists():
            return {}
        query = "SELECT path, title, section, keys, state, target FROM address"
        with self._db() as db:
            if paths is None:
                rows = db.execute(query).fetchall()
            else:
                wanted = sorted(set(paths))
                rows = []
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows += db.execute(f"{query} WHERE path IN ({marks})", chunk).fetchall()
        return {row[0]: self._entry(row) for row in rows}

    def related(self, keys: Iterable[str], targets: Iterable[str]) -> set[str]:
        """Addresses known by one of ``keys``, or moved to one of ``targets``: those whose fate
        may change when the items holding these keys or addresses change."""
        if self.path is None or not self.path.exists():
            return set()
        found: set[str] = set()
        with self._db() as db:
            for column, table, values in (
                ("key", "address_key", sorted(set(keys))),
                ("target", "address", sorted(set(targets))),
            ):
                for start in range(0, len(values), 500):
                    chunk = values[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    sql = f"SELECT path FROM {table} WHERE {column} IN ({marks})"  # noqa: S608 - fixed names
                    found.update(p for (p,) in db.execute(sql, chunk))
        return found

    def record(self, entries: Iterable[Entry]) -> int:
        """Write ``entries`` (new ones, or changes of known ones) in one transaction."""
        if self.path is None:
            return 0
        count = 0
        with self._db() as db:
            for entry in entries:
                db.execute(
                    "INSERT OR REPLACE INTO address (path, title, section, keys, state, target) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        entry.path,
                        entry.title,
                        entry.section,
                        json.dumps(list(entry.keys)),
                        entry.state,
                        entry.target,
                    ),
                )
                db.execute("DELETE FROM address_key WHERE path = ?", (entry.path,))
                db.executemany(
                    "INSERT INTO address_key (key, path) VALUES (?, ?)",
                    [(key, entry.path) for key in entry.keys],
                )
                count += 1
        return count


def resolve(
    gone_from: Mapping[str, Entry],
    live: Mapping[str, Entry],
    live_by_key: Mapping[str, set[str]],
    lookup: Mapping[str, Entry] | None = None,
) -> dict[str, Entry]:
    """What each address of ``gone_from`` (addresses no item holds any more) becomes.

    1. An item now live with one of the address's keys: moved there (the CMS page's key wins
       over the others; among several candidates, the first address in order).
    2. Else the address it had moved to before: followed (through its own move, if any) while
       that leads to a live address.
    3. Else: gone.

    ``lookup`` holds the book's entries of other addresses a chain may go through.
    """
    lookup = lookup or {}
    resolved: dict[str, Entry] = {}
    for path, entry in gone_from.items():
        target = _by_identity(entry, live_by_key, path)
        if target:
            resolved[path] = entry.becomes(MOVED, target)
    for path, entry in gone_from.items():
        if path not in resolved:
            target = _follow(entry, live, resolved, lookup)
            resolved[path] = entry.becomes(MOVED, target) if target else entry.becomes(GONE)
    return resolved


def _by_identity(entry: Entry, live_by_key: Mapping[str, set[str]], own: str) -> str:
    cms = [k for k in entry.keys if k.startswith("cms:")]
    for keys in (cms, [k for k in entry.keys if not k.startswith("cms:")]):
        found = sorted({p for k in keys for p in live_by_key.get(k, ()) if p != own})
        if found:
            return found[0]
        if cms and any(live_by_key.get(k) for k in cms):
            break  # the CMS page is live at its own address: nothing else can be it
    return ""


def _follow(
    entry: Entry,
    live: Mapping[str, Entry],
    resolved: Mapping[str, Entry],
    lookup: Mapping[str, Entry],
) -> str:
    target, seen = entry.target, {entry.path}
    for _ in range(MAX_CHAIN):
        if not target or target in seen:
            return ""
        if target in live:
            return target
        seen.add(target)
        nxt = resolved.get(target) or lookup.get(target)
        target = nxt.target if nxt is not None and nxt.state == MOVED else ""
    return ""
