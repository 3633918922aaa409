"""The live site as two trees, switched atomically, updated at the cost of what changed.

``site/output`` is a symbolic link to one of two complete trees (``live`` and ``standby``) in
``site/builds/``. An update is a :class:`Delta` (files to write, files to delete):

1. the new delta is applied to the standby tree, which now holds the new site;
2. one ``rename`` points ``site/output`` at it: readers see the old site or the new one, never
   a mix, and requests already reading the old tree finish on the files they opened;
3. the trees swap roles; the state names the delta as *pending* (on disk, so that a worker
   killed now finds it);
4. once the new site is live, the new standby tree (the old live one) **catches up** with the
   delta (:meth:`OutputStore.catch_up`): the publication is visible before this work, not
   after. A catch-up that did not happen (a worker killed in between) happens before the next
   delta is applied.

Files are never modified in place: a new version is written once in the delta's folder and
hard-linked into each tree, then renamed over the old one. So both trees, and the full build
they were cloned from, can share every unchanged file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

STATE_FILE = "state.json"
#: Names of the trees builds write: full builds (``<generation>``, its ``-b`` clone), deltas,
#: and the work folder where a full build gathers the pages of its search index.
ORPHAN_NAME = re.compile(r"^(\.search-)?(\d{8}T\d{6}-\d{9}(-b)?|\.delta-\d+)$")
#: A file being written beside the trees and renamed into place when done (the model's snapshot:
#: ``.model.pickle.<pid>.tmp``): left behind when its writer was killed.
ORPHAN_FILE = re.compile(r"^\.[\w.-]+\.\d+\.tmp$")


@dataclass
class Delta:
    """Files to write (staged under ``folder``, by output path) and output paths to delete."""

    folder: Path
    writes: set[str] = field(default_factory=set)
    deletes: set[str] = field(default_factory=set)

    def staged(self, path: str) -> Path:
        return self.folder / "files" / path

    def save(self) -> None:
        manifest = {"writes": sorted(self.writes), "deletes": sorted(self.deletes - self.writes)}
        tmp = self.folder / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest), encoding="utf-8")
        tmp.replace(self.folder / "manifest.json")

    @classmethod
    def load(cls, folder: Path) -> Delta:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return cls(folder, set(data["writes"]), set(data["deletes"]))

    def __bool__(self) -> bool:
        return bool(self.writes or self.deletes)


def _ignore_missing(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def apply_delta(tree: Path, delta: Delta) -> None:
    """Write and delete the delta's files in ``tree``, each file by an atomic rename."""
    made: set[Path] = set()
    for path in sorted(delta.writes):
        target = tree / path
        parent = target.parent
        if parent not in made:
            parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        tmp = parent / f".{target.name}.relais-tmp"
        _ignore_missing(tmp)
        os.link(delta.staged(path), tmp)
        os.replace(tmp, target)
    emptied: set[Path] = set()
    for path in sorted(delta.deletes - delta.writes):
        target = tree / path
        _ignore_missing(target)
        emptied.add(target.parent)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while folder != tree and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def clone_tree(source: Path, target: Path) -> None:
    """A copy of ``source`` made of hard links (files are never modified in place)."""
    for dirpath, _dirnames, filenames in os.walk(source):
        rel = os.path.relpath(dirpath, source)
        dest = target / rel if rel != "." else target
        dest.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            os.link(os.path.join(dirpath, name), dest / name)


class OutputStore:
    """The two trees behind ``output`` and the state that says which one is live."""

    def __init__(self, output: Path, builds: Path):
        self.output = output
        self.builds = builds

    # -- state --------------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.builds / STATE_FILE

    def state(self) -> dict:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def _save_state(self, state: dict) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        tmp.replace(self.state_path)

    @contextlib.contextmanager
    def lock(self, wait: bool = True) -> Iterator[bool]:
        """Hold the builds' lock for the block; with ``wait=False`` the block gets False at
        once when another process holds it (and must then touch nothing)."""
        self.builds.mkdir(parents=True, exist_ok=True)
        with open(self.builds / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def generation(self) -> str:
        """An id that changes with every publication (full or incremental)."""
        return self.state().get("generation", "")

    def source(self) -> str:
        """What the live site was built from: content files and settings, as a digest."""
        return self.state().get("source", "")

    # -- publication ----------------------------------------------------------------------------

    def _switch(self, tree: Path) -> None:
        if self.output.exists() and not self.output.is_symlink():
            shutil.move(str(self.output), str(self.builds / f"legacy-{int(time.time())}"))
        tmp = self.output.with_name(f".{self.output.name}.{os.getpid()}.tmp")
        _ignore_missing(tmp)
        tmp.symlink_to(os.path.relpath(tree, self.output.parent))
        os.replace(tmp, self.output)

    def publish_full(self, tree: Path, generation: str, source: str = "") -> None:
        """Make a freshly built ``tree`` live; clone it into the standby tree."""
        standby = tree.with_name(tree.name + "-b")
        shutil.rmtree(standby, ignore_errors=True)
        clone_tree(tree, standby)
        old = self.state()
        self._switch(tree)
        self._save_state(
            {
                "live": tree.name,
                "standby": standby.name,
                "pending": None,
                "generation": generation,
                "source": source,
            }
        )
        self._discard(old)

    def publish_delta(self, delta: Delta, generation: str, source: str = "") -> None:
        """Apply ``delta`` to the standby tree and switch to it. The other tree lags behind by
        ``delta`` until :meth:`catch_up`."""
        if self.state().get("pending"):
            self.catch_up()
        state = self.state()
        if not state.get("live"):
            raise RuntimeError("No full build to update: build the whole site first.")
        standby = self.builds / state["standby"]
        delta.save()
        apply_delta(standby, delta)
        self._switch(standby)
        self._save_state(
            {
                "live": state["standby"],
                "standby": state["live"],
                "pending": delta.folder.name,
                "generation": generation,
                "source": source,
            }
        )

    def catch_up(self) -> None:
        """Apply the last delta to the standby tree, which then equals the live one. Applying a
        delta twice gives the same tree: a catch-up interrupted is simply done again."""
        state = self.state()
        if not state.get("pending"):
            return
        pending = self.builds / state["pending"]
        apply_delta(self.builds / state["standby"], Delta.load(pending))
        self._save_state({**state, "pending": None})
        shutil.rmtree(pending, ignore_errors=True)

    def new_delta(self) -> Delta:
        folder = self.builds / f".delta-{time.time_ns()}"
        (folder / "files").mkdir(parents=True)
        return Delta(folder)

    def _discard(self, old: dict) -> None:
        for key in ("live", "standby", "pending"):
            name = old.get(key)
            if name:
                shutil.rmtree(self.builds / name, ignore_errors=True)

    def remove_orphans(self, min_age: float = 60.0) -> list[str]:
        """Remove the trees a build left behind when its process died: full builds and deltas
        that ``state.json`` does not name, and half-written files (a killed snapshot writer's),
        at least ``min_age`` seconds old (a writer on another
        machine keeps its tree younger). Nothing is touched while a build holds the lock, nor
        without a state (the live tree would be unknown). Returns the names removed."""
        if not self.state_path.is_file():
            return []
        removed: list[str] = []
        with self.lock(wait=False) as locked:
            state = self.state()
            if not locked or not state.get("live"):
                return []
            named = {state.get(key) for key in ("live", "standby", "pending")}
            live = self.output.resolve() if self.output.is_symlink() else None
            now = time.time()
            for entry in sorted(self.builds.iterdir()):
                if (
                    ORPHAN_FILE.match(entry.name)
                    and entry.is_file()
                    and not entry.is_symlink()
                    and now - entry.stat().st_mtime >= min_age
                ):
                    entry.unlink(missing_ok=True)
                    removed.append(entry.name)
                    continue
                if (
                    entry.name in named
                    or not ORPHAN_NAME.match(entry.name)
                    or entry.is_symlink()
                    or not entry.is_dir()
                    or entry.resolve() == live
                    or now - entry.stat().st_mtime < min_age
                ):
                    continue
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
        return removed

    def trees(self) -> list[Path]:
        """The live tree, then the standby one."""
        state = self.state()
        return [self.builds / state[k] for k in ("live", "standby") if state.get(k)]
