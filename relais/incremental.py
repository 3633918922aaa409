"""A warm Pelican: publish one change in a time that follows the pages it touches.

:class:`SiteBuilder` runs Pelican's pipeline once (a full build, with every Relais plugin) and
keeps what it built: the generators and their context, every article object, and the plan of
listings (:mod:`relais.pelican.listings`). An update then goes through named phases:

1. **detect**: which content files changed (the paths the CMS export names, or a scan);
2. **read**: the changed files, through Pelican's readers, and every plugin's per-article step
   on them (terms, images, calendars), before anything is modified — a file with an error
   stops the update and the live site stays as it was;
3. **apply**: the new articles replace the old ones in the generator, the context and the
   listings;
4. **plan**: the listings the change touches are planned again; outputs whose signature changed
   are to be rendered, outputs that disappeared are to be deleted;
5. **render**: with Pelican's writer and the theme, into the folder of a :class:`Delta`;
6. **search**: the search index's shards that hold the changed items are indexed again into
   the delta (:mod:`relais.search`);
7. **publish**: :class:`~relais.output_store.OutputStore` applies the delta to the standby tree
   and switches ``site/output`` to it in one rename;
8. **deploy** (a site with a deploy target): the files the delta wrote and deleted are copied
   to object storage (:mod:`relais.deploy`), still under the builds' lock.
9. **catch up**, once the new site is live: the standby tree applies the delta too
   (:meth:`~relais.output_store.OutputStore.catch_up`) and the model's snapshot is saved. An
   update's ``live_seconds`` ends before this phase, its ``seconds`` after.

A change to ``site.yaml``, to the pages, or an update that finds the live site published by
someone else starts a full build instead. The result is byte-identical to a full build of the
same content (``tests/site/test_incremental.py`` checks it on random sequences of changes).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import json
import logging
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.contents import Article, Content, Static
from pelican.generators import ArticlesGenerator, PagesGenerator, StaticGenerator
from pelican.writers import Writer

from relais import snapshot
from relais.addresses import FILENAME as ADDRESS_BOOK
from relais.buildconfig import (
    CONTENT_FOLDERS,
    PELICANCONF,
    BuildError,
    SitePaths,
    capture_logs,
    pelican_settings,
)
from relais.contentpaths import (
    OUTSIDE_CONTENT,
    OutsideContent,
    inside_content,
    links_leading_outside,
)
from relais.deploy import S3Deployer
from relais.output_store import Delta, OutputStore
from relais.pelican.addresses import AddressPlan
from relais.pelican.articles import write_article_extras
from relais.pelican.calendar import event_ics_path, set_ics_url
from relais.pelican.context import build_now
from relais.pelican.images import BY_LINK as FEEDS_BY_LINK
from relais.pelican.images import feed_link, resolve_article_images
from relais.pelican.links import link_targets, resolve_links
from relais.pelican.listings import (
    ListingKey,
    Plan,
    cache_urls,
    global_specs,
    has_archives,
    home_spec,
    is_event,
    keys_and_terms,
    make_listing,
    plan_listing,
    tags_spec,
)
from relais.pelican.search import shards_of, shards_to_update
from relais.pelican.taxonomies import attach_article_terms
from relais.search import pagefind_version, published_shards, update_index
from relais.sections import SECTIONS
from relais.templatecache import with_shared_templates

logger = logging.getLogger(__name__)

#: Every builder of the process, while it is referenced (a warm builder dropped from the
#: worker's list goes away with its model).
_alive: weakref.WeakSet[SiteBuilder] = weakref.WeakSet()

#: The snapshot writers of every builder of the process that may not have been waited for: a
#: builder dropped after a publication (a federation's worker keeps a few sites warm) never
#: waits for its last writer, which would stay a zombie process for the life of the worker.
_writers: set[int] = set()

#: A full pass of the garbage collector (what frees the models dropped since the last one)
#: runs once every this many models loaded in the process.
FULL_COLLECT_EVERY = 4
_loads_since_full_collect = 0


@dataclass
class UpdateResult:
    kind: str  # "full", "incremental" or "none"
    seconds: float  # what the publication took, from the start to the end of its work
    #: of ``seconds``, the work done once the new site was live (an incremental update's
    #: catch-up phase)
    after_live: float = 0.0
    written: int = 0
    deleted: int = 0
    articles: int = 0
    deployed: int = 0  # files sent to or deleted from object storage
    warnings: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    #: how an adopted model was obtained: "snapshot" (loaded) or "content" (read again)
    model: str = ""

    @property
    def live_seconds(self) -> float:
        """From the start until the new site was live (deploy included)."""
        return self.seconds - self.after_live


#: A file's fingerprint (:func:`_fingerprint`).
Fingerprint = int


class Fingerprints(dict[str, Fingerprint]):
    """File fingerprints by content path, indexed by folder so that the files under a few
    paths are found without going through the whole site."""

    def __init__(self, items: dict[str, Fingerprint] | None = None):
        super().__init__()
        self.folders: dict[str, set[str]] = {}
        self.digest = 0  # XOR of the files' hashes: kept up to date one file at a time
        for path, fp in (items or {}).items():
            self[path] = fp

    @staticmethod
    def _hash(path: str, fp: Fingerprint) -> int:
        return int.from_bytes(
            hashlib.blake2b(f"{path}\0{fp}".encode(), digest_size=16).digest(), "big"
        )

    def __setitem__(self, path: str, fp: Fingerprint) -> None:
        if path in self:
            self.digest ^= self._hash(path, self[path])
        super().__setitem__(path, fp)
        self.digest ^= self._hash(path, fp)
        self.folders.setdefault(path.rpartition("/")[0], set()).add(path)

    def __delitem__(self, path: str) -> None:
        self.digest ^= self._hash(path, self[path])
        super().__delitem__(path)
        self.folders.get(path.rpartition("/")[0], set()).discard(path)

    def under(self, scope: list[str] | None) -> dict[str, Fingerprint]:
        """The fingerprints of the files at or below the paths of ``scope`` (all for None)."""
        if scope is None:
            return dict(self)
        found: dict[str, Fingerprint] = {}
        for start in scope:
            if start in self:
                found[start] = self[start]
            for folder, paths in self.folders.items():
                if folder == start or folder.startswith(start + "/"):
                    found.update((p, self[p]) for p in paths)
        return found

    def digest_after(
        self, previous: dict[str, Fingerprint], current: dict[str, Fingerprint]
    ) -> int:
        """The digest once ``previous`` is replaced by ``current``, without changing anything."""
        digest = self.digest
        for path, fp in previous.items():
            digest ^= self._hash(path, fp)
        for path, fp in current.items():
            digest ^= self._hash(path, fp)
        return digest

    def replace(self, previous: dict[str, Fingerprint], current: dict[str, Fingerprint]) -> None:
        for gone in previous.keys() - current.keys():
            del self[gone]
        for path, fp in current.items():
            self[path] = fp


#: What the model keeps of a generator: everything but its tools (templates, readers, caches),
#: which a builder that loads a snapshot makes again.
_GENERATOR_TOOLS = frozenset(
    {
        "_cache",
        "_cache_data_policy",
        "_cache_open",
        "_cache_path",
        "_filestamp_func",
        "_templates",
        "_templates_path",
        "context",
        "env",
        "output_path",
        "path",
        "readers",
        "settings",
        "theme",
    }
)
#: Settings that Pelican itself completes while it builds (plugins by name, Markdown's
#: extensions): a snapshot's differ from freshly read ones.
_SETTINGS_PELICAN_CHANGES = frozenset({"MARKDOWN", "PLUGINS"})
SNAPSHOT_MODES = ("background", "sync", "off")
#: How much nicer than the worker its forked snapshot writer runs.
SNAPSHOT_WRITER_NICENESS = 10


#: Linux's prctl() option: the signal a process gets when the one that forked it dies.
_PR_SET_PDEATHSIG = 1


def _log_handlers() -> list[logging.Handler]:
    """Every handler of every logger of the process, each once."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    found: dict[int, logging.Handler] = {}
    for logger_ in loggers:
        for handler in getattr(logger_, "handlers", ()):
            found.setdefault(id(handler), handler)
    return list(found.values())


@contextlib.contextmanager
def _no_log_writes() -> Iterator[None]:
    """No other thread writes a log record while this holds: each handler's lock is taken.
    A thread forked in the middle of a write would leave the stream's own lock taken in the
    copy, whose first log line would then wait for ever (a worker's threads log each task)."""
    handlers = _log_handlers()
    for handler in handlers:
        handler.acquire()
    try:
        yield
    finally:
        for handler in reversed(handlers):
            with contextlib.suppress(RuntimeError):  # the copy: logging made them anew
                handler.release()


def _fork() -> int:
    """``os.fork()``, whose copy ends when this process dies (:func:`_die_with`). The fork
    happens while no other thread is writing a log record (:func:`_no_log_writes`). A fork of a
    process with other threads (a worker) copies their locks as they are: its copy may only
    do what needs none of them (the snapshot writer pickles the model into a file; the second
    writer of a full build is forked from the full build's own process, which has no other
    thread); SQLite and the database are never used there."""
    parent = os.getpid()
    with _no_log_writes():
        pid = os.fork()
    if pid == 0:
        _die_with(parent)
    return pid


def _ended(pid: int, block: bool) -> bool:
    """Whether the child process ``pid`` has ended, now waited for (``block``: wait for it)."""
    try:
        done, _status = os.waitpid(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:  # waited for already
        return True
    return bool(done)


def _reap_ended_writers() -> None:
    """Wait for the snapshot writers of any builder that have ended (see ``_writers``)."""
    for pid in list(_writers):
        if _ended(pid, block=False):
            _writers.discard(pid)


def _die_with(parent: int) -> None:
    """This process ends when ``parent`` dies (on Linux): a worker killed in the middle of a
    full build leaves no copy building on, holding the site's lock (the recovery gives the
    build to another worker; its half-written tree is removed)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it died before the line above
            os._exit(1)


#: What the new process of a full build runs: the caller's import path, then its job, come
#: pickled on its standard input (a new interpreter, not ``multiprocessing``'s, which imports
#: the caller's main script again). The path comes first: reading the job imports Relais.
_FULL_BUILD_CHILD = (
    "import pickle, sys\n"
    "sys.path[:] = pickle.load(sys.stdin.buffer)\n"
    "job = pickle.load(sys.stdin.buffer)\n"
    "from relais.incremental import _full_build_process\n"
    "_full_build_process(job)\n"
)


def _full_build_in_new_process(
    paths: SitePaths, build_processes: int, overrides: dict[str, Any]
) -> dict[str, Any]:
    """Run a full build of the site at ``paths`` in a new Python process (see
    :meth:`SiteBuilder._full_build`); its report: errors, files written, warnings."""
    read_end, write_end = os.pipe()
    job = {
        "parent": os.getpid(),
        "report_fd": write_end,
        "paths": paths,
        "build_processes": build_processes,
        "overrides": overrides,
    }
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _FULL_BUILD_CHILD], stdin=subprocess.PIPE, pass_fds=[write_end]
        )
    finally:
        os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as reports:
        assert process.stdin is not None
        # a process that stopped at once closed its input: its missing report says so below
        with contextlib.suppress(BrokenPipeError), process.stdin:
            process.stdin.write(pickle.dumps(sys.path) + pickle.dumps(job))
        text = reports.read()
    process.wait()
    try:
        return json.loads(text)
    except ValueError:
        return {"errors": ["The process of the full build stopped before it reported."]}


def _full_build_process(job: dict[str, Any]) -> None:
    """The new process of a full build: build, publish, save the snapshot, report."""
    _die_with(job["parent"])
    try:
        builder = SiteBuilder(
            job["paths"],
            snapshots="sync",
            build_processes=job["build_processes"],
            full_build_process=False,
            **job["overrides"],
        )
        built = builder._full_build_here()
        report = {"errors": [], "written": built.written, "warnings": built.warnings}
    except BuildError as exc:
        report = {"errors": exc.errors}
    except BaseException as exc:
        report = {"errors": [f"{type(exc).__name__}: {exc}"]}
    with os.fdopen(job["report_fd"], "w", encoding="utf-8") as fh:
        json.dump(report, fh)


def _compared(settings: dict[str, Any], key: str) -> Any:
    """A setting as a snapshot's and a build's are compared: Jinja's options without the
    process's shared cache of compiled templates (:mod:`relais.templatecache`), which a build
    adds and changes nothing of what is written."""
    value = settings.get(key)
    if key == "JINJA_ENVIRONMENT" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "bytecode_cache"}
    return value


class SiteBuilder:
    """Keeps the site model warm between publications. Not thread-safe: one per process, used
    under the store's lock (so several processes may share one site).

    After each publication the model is saved as a snapshot (:mod:`relais.snapshot`) that a
    builder starting on the live site loads instead of reading the content again:
    ``snapshots="background"`` (the default) writes it from a forked copy of the process, so
    that the publication does not wait for it; ``"sync"`` before returning; ``"off"`` never."""

    def __init__(
        self,
        paths: SitePaths | None = None,
        deploy: S3Deployer | None = None,
        snapshots: str = "background",
        build_processes: int | None = None,
        full_build_process: bool | None = None,
        **overrides: Any,
    ):
        if snapshots not in SNAPSHOT_MODES:
            raise ValueError(f"snapshots must be one of {SNAPSHOT_MODES}, not {snapshots!r}")
        self.paths = paths or SitePaths.from_env()
        self.deployer = deploy
        self.snapshots = snapshots
        #: processes that write a full build (two: the machine's cores are used)
        self.build_processes = build_processes or min(2, os.cpu_count() or 1)
        #: a full build runs in a process of its own (see :meth:`_full_build`)
        #: (``RELAIS_FULL_BUILD_PROCESS=0``: in this process, as ``full_build_process=False``)
        if full_build_process is None:
            full_build_process = os.environ.get("RELAIS_FULL_BUILD_PROCESS", "1") != "0"
        self.full_build_process = full_build_process
        self.overrides = overrides
        self.store = OutputStore(self.paths.output, self.paths.builds)
        self.generation: str | None = None
        self.fingerprints = Fingerprints()
        self.context: dict[str, Any] = {}
        _alive.add(self)
        self._snapshot_writers: list[int] = []  # forked processes writing a snapshot
        self._bodies: str | None = None  # the loaded snapshot whose bodies the model reads

    def __del__(self) -> None:
        # a builder let go (a federation keeps only its most used sites warm) closes the
        # snapshot file its model read bodies from
        with contextlib.suppress(Exception):
            snapshot.close(self._bodies)

    # -- full build, or adopting the live site -------------------------------------------------

    def full_build(self) -> UpdateResult:
        with self.store.lock():
            return self._full_build()

    def _full_build(self) -> UpdateResult:
        """Build everything. With ``full_build_process`` (the default) the build runs in a
        new process, which publishes the site and its model's snapshot, and this one then
        loads the model from the snapshot: the warm builder never holds what a whole build of
        Pelican holds, only the model (bodies on disk).

        A new process, not a fork of this one: a worker has other threads (its heartbeat, the
        posts' lanes) that use SQLite, whose internal locks a fork copies in whatever state they
        are; the copy's first use of SQLite (the address book) then waited for ever, a lock
        held by a thread that the copy does not have."""
        if not self.full_build_process or self.snapshots == "off":
            return self._deploy(None, self._full_build_here())
        started = time.perf_counter()
        self._reap_snapshot_writers(stop=True)
        report = _full_build_in_new_process(self.paths, self.build_processes, self.overrides)
        if report["errors"]:
            raise BuildError(report["errors"])
        state = self.store.state()
        try:
            # the model the build kept, with the files' fingerprints it read them with
            self._load_snapshot(state, None)
        except snapshot.SnapshotRefused as refused:  # not expected: build here instead
            logger.warning("The full build's snapshot was refused (%s): building again.", refused)
            return self._deploy(None, self._full_build_here())
        self.generation = state["generation"]
        result = UpdateResult(
            "full",
            time.perf_counter() - started,
            written=report["written"],
            articles=len(self.by_path),
            warnings=report["warnings"],
        )
        return self._deploy(None, result)

    def _full_build_here(self) -> UpdateResult:
        started = time.perf_counter()
        generation = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}"
        output_dir = self.paths.builds / generation
        output_dir.mkdir(parents=True)
        # The files as they are before Pelican reads them: one that another worker's export
        # rewrites during the build then differs from what the live site says it was built
        # from, and the next update reads it again (scanned after the build, it would count as
        # published, and a worker adopting the live site would miss it).
        fingerprints = Fingerprints(self._scan(None))
        try:
            warnings = self._load(output_dir, write=True)
        except BaseException:
            shutil.rmtree(output_dir, ignore_errors=True)
            raise
        self.fingerprints = fingerprints
        self.addresses.record()  # the book knows an address before readers can see it
        source = self._source(self.fingerprints.digest)
        self.store.publish_full(output_dir, generation, source)
        self.generation = generation
        self._save_snapshot(generation, source)
        return UpdateResult(
            "full",
            time.perf_counter() - started,
            written=sum(len(f) for _, _, f in os.walk(output_dir)),
            articles=len(self.by_path),
            warnings=warnings,
        )

    def forget(self) -> None:
        """Drop the model of the live site: another builder published the site since this one
        did (on another worker), so the next update adopts the live site again, or builds
        everything, instead of applying a change to a model that is out of date."""
        self.generation = None

    def warm_up(self) -> UpdateResult:
        """Get the model ready before the first change comes: adopt the live site when it was
        built from the content and settings found now, else build everything. A worker calls
        this when it starts, before it runs any export."""
        with self.store.lock():
            return self._adopt() or self._full_build()

    def _adopt(self, added: Iterable[str] = ()) -> UpdateResult | None:
        """Load the model of the live site without writing anything, when the live site was
        built from exactly the content and settings found now (a worker that restarts): from
        the snapshot saved with it when it matches, else through Pelican again (with its
        content cache, a fraction of a full build), saving a snapshot for the next time.

        ``added``: paths (files or folders) that may hold files added since the live build (an
        export the update is about to publish: a new item, an adopted copy). When the live
        site was built from exactly the content found now *without* the files under them, the
        model is loaded without them too, as it was at the live build; the update then adds
        them like a warm builder would. A file changed or removed since the live build cannot
        be left out that way (its live version is gone): that still needs a full build."""
        state = self.store.state()
        if not state.get("live") or not state.get("source"):
            return None
        started = time.perf_counter()
        fingerprints = Fingerprints(self._scan(None))
        scope = sorted({a.strip("/") for a in added})
        left_out = set(fingerprints.under(scope)) if scope else set()
        if left_out:
            if any(_is_global(p) for p in left_out):
                return None  # the update would rebuild everything anyway
            fingerprints = Fingerprints(
                {p: fp for p, fp in fingerprints.items() if p not in left_out}
            )
        if self._source(fingerprints.digest) != state["source"]:
            return None
        try:
            self._load_snapshot(state, fingerprints)
            warnings: list[str] = []
            model = "snapshot"
        except snapshot.SnapshotRefused as refused:
            logger.info("Model snapshot not used (%s): reading the content again.", refused)
            warnings = self._load(self.store.builds / state["live"], write=False, left_out=left_out)
            model = "content"
        self.addresses.record()
        self.fingerprints = fingerprints
        self.generation = state["generation"]
        if model == "content":
            self._save_snapshot(state["generation"], state["source"])
        return UpdateResult(
            "adopted",
            time.perf_counter() - started,
            articles=len(self.by_path),
            warnings=warnings,
            model=model,
        )

    # -- the model's snapshot --------------------------------------------------------------------

    @property
    def snapshot_path(self) -> Path:
        return self.paths.builds / snapshot.FILENAME

    def _snapshot_header(self, generation: str, source: str) -> dict[str, Any]:
        return {
            "generation": generation,
            "source": source,
            "book": snapshot.file_stamp(self.paths.builds / ADDRESS_BOOK),
        }

    def _model(self) -> dict[str, Any]:
        def state(generator: Any) -> dict[str, Any]:
            return {k: v for k, v in vars(generator).items() if k not in _GENERATOR_TOOLS}

        return {
            "settings": self.settings,
            "context": self.context,
            "articles_gen": state(self.articles_gen),
            "pages_gen": state(self.pages_gen),
            "static_gen": state(self.static_gen),
            "linkers": self.linkers,
            "fingerprints": dict(self.fingerprints),
        }

    def _save_snapshot(self, generation: str, source: str) -> None:
        """Save the model of the publication just made (see the class)."""
        self._reap_snapshot_writers(stop=True)
        _reap_ended_writers()
        if self.snapshots == "off":
            return
        header = self._snapshot_header(generation, source)
        if self.snapshots == "sync":
            try:
                snapshot.write(self.snapshot_path, header, self._model())
            except Exception as exc:  # the site is published; the next start reads the content
                logger.warning("The model snapshot could not be saved: %s", exc)
            return
        pid = _fork()
        if pid == 0:  # the copy: write the snapshot, and nothing else (no cleanup, no logs)
            code = 1
            try:
                # pickling a large model takes seconds of a processor: the next publication,
                # Pagefind and the web processes go first
                with contextlib.suppress(OSError):
                    os.nice(SNAPSHOT_WRITER_NICENESS)
                if self.store.generation() == generation:
                    snapshot.write(self.snapshot_path, header, self._model())
                code = 0
            finally:
                os._exit(code)
        self._snapshot_writers.append(pid)
        _writers.add(pid)

    def _reap_snapshot_writers(self, stop: bool = False, wait: bool = False) -> None:
        """Collect the snapshot writers that ended; with ``stop``, end those still writing a
        snapshot that the new publication makes out of date (with ``wait``, wait for them)."""
        for pid in list(self._snapshot_writers):
            if stop:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if _ended(pid, block=stop or wait):
                self._snapshot_writers.remove(pid)
                _writers.discard(pid)
                tmp = self.snapshot_path.with_name(f".{snapshot.FILENAME}.{pid}.tmp")
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()

    def wait_for_snapshot(self) -> None:
        """Wait until the snapshot of the last publication is written (tests, benchmarks,
        a worker that stops)."""
        self._reap_snapshot_writers(wait=True)

    def _load_snapshot(self, state: dict[str, Any], fingerprints: Fingerprints | None) -> None:
        """Take the model from the snapshot of the live publication, or raise
        :class:`~relais.snapshot.SnapshotRefused`. With ``fingerprints`` the snapshot must
        have been made from those files; with None (it was just made by a full build of this
        builder) the model takes the fingerprints it was made with."""
        expected = self._snapshot_header(state["generation"], state["source"])
        replaced = bool(getattr(self, "context", None))  # a model loaded before this one
        # millions of objects come back at once: no collection until they are frozen (enabled
        # in between, the collector would walk them all, young, at the next allocations)
        _collect_dropped_models()
        collecting = gc.isenabled()
        gc.disable()
        try:
            model, token = snapshot.load(self.snapshot_path, expected)
            try:
                self._take_model(model, fingerprints)
            except BaseException:
                snapshot.close(token)
                raise
            snapshot.close(self._bodies)  # the previous model's, now replaced
            self._bodies = token
            _freeze_models(replaced=replaced, collect_young=False)
        finally:
            if collecting:
                gc.enable()

    def _take_model(self, model: dict[str, Any], fingerprints: Fingerprints | None) -> None:
        if fingerprints is None:
            fingerprints = Fingerprints(model.get("fingerprints") or {})
        elif model.get("fingerprints") != dict(fingerprints):
            raise snapshot.SnapshotRefused("made from other content files")
        try:
            settings, context = model["settings"], model["context"]
            with capture_logs() as logs:
                # settings also come from the environment (the site's address, the date of
                # the build): the model's must be those a build would use now
                fresh = pelican_settings(
                    self.paths,
                    Path(settings["OUTPUT_PATH"]),
                    **self._cache_settings(),
                    **self.overrides,
                )
                for key in sorted(fresh.keys() | settings.keys()):
                    if key in _SETTINGS_PELICAN_CHANGES:
                        continue
                    if _compared(fresh, key) != _compared(settings, key):
                        raise snapshot.SnapshotRefused(f"made with another setting {key}")
                pelican = Pelican(settings)
                # the readers start without Pelican's cache of every file: an update reads
                # only files that changed
                reading = {**settings, "LOAD_CONTENT_CACHE": False}
                made = {
                    cls: cls(
                        context=context,
                        settings=reading,
                        path=pelican.path,
                        theme=pelican.theme,
                        output_path=pelican.output_path,
                    )
                    for cls in (ArticlesGenerator, PagesGenerator, StaticGenerator)
                }
            if logs.errors:
                raise snapshot.SnapshotRefused(f"Pelican refused it: {logs.errors[0]}")
            for cls, key in (
                (ArticlesGenerator, "articles_gen"),
                (PagesGenerator, "pages_gen"),
                (StaticGenerator, "static_gen"),
            ):
                vars(made[cls]).update(model[key])
            articles_gen = made[ArticlesGenerator]
            self.settings = settings
            self.context = context
            self.articles_gen = articles_gen
            self.pages_gen = made[PagesGenerator]
            self.static_gen = made[StaticGenerator]
            self.plan = articles_gen.relais_plan
            self.addresses = articles_gen.relais_addresses
            self.linkers = model["linkers"]
        except snapshot.SnapshotRefused:
            raise
        except (KeyError, AttributeError, TypeError) as exc:
            raise snapshot.SnapshotRefused(f"incomplete model: {exc!r}") from exc
        self.by_path = {a.relative_source_path: a for a in articles_gen.articles}
        self.owners = {a.relais_save_as: p for p, a in self.by_path.items()}
        self.page_outputs = {p.save_as for p in context.get("pages", [])}
        self.fingerprints = fingerprints

    def _load(self, output_dir: Path, write: bool, left_out: set[str] = frozenset()) -> list[str]:
        """Run Pelican's pipeline (writing into ``output_dir`` only with ``write``) and keep
        its generators, context and plan, without the content files of ``left_out`` (when
        adopting). Raises BuildError on any logged error."""
        if not self.paths.content.is_dir():
            raise BuildError(
                [
                    f"The content folder {self.paths.content} does not exist: create it (an "
                    "empty folder builds an empty site) or set RELAIS_CONTENT_DIR to yours."
                ]
            )
        outside = links_leading_outside(self.paths.content)
        if outside:
            raise BuildError([f"content/{path}: {OUTSIDE_CONTENT}" for path in outside])
        _collect_dropped_models()
        try:
            with capture_logs() as logs:
                settings = pelican_settings(
                    self.paths, output_dir, **self._cache_settings(), **self.overrides
                )
                settings["JINJA_ENVIRONMENT"] = with_shared_templates(settings["JINJA_ENVIRONMENT"])
                pelican = Pelican(settings)
                context = settings.copy()
                context.update(
                    generated_content={},
                    static_links=set(),
                    static_content={},
                    localsiteurl=settings["SITEURL"],
                )
                generators = [
                    cls(
                        context=context,
                        settings=settings,
                        path=pelican.path,
                        theme=pelican.theme,
                        output_path=pelican.output_path,
                    )
                    for cls in pelican._get_generator_classes()
                ]
                for generator in generators:
                    generator.generate_context()
                signals.all_generators_finalized.send(generators)
                for generator in generators:
                    if hasattr(generator, "refresh_metadata_intersite_links"):
                        generator.refresh_metadata_intersite_links()
                articles_gen = next(g for g in generators if isinstance(g, ArticlesGenerator))
                if write:
                    writer = pelican._get_writer()
                    with self._other_process_writing(articles_gen, writer, logs):
                        for generator in generators:
                            generator.generate_output(writer)
                    signals.finalized.send(pelican)
                else:
                    if left_out:
                        _leave_out(generators, context, left_out)
                    articles_gen.relais_plan = Plan.compute(
                        articles_gen.articles, settings, context.get("pages", [])
                    )
                    articles_gen.relais_addresses = AddressPlan.compute(
                        articles_gen.articles,
                        context.get("pages", []),
                        settings,
                        self._output_taken(articles_gen, context.get("pages", [])),
                    )
        except BuildError:
            raise
        except Exception as exc:
            raise BuildError([*logs.errors, f"{type(exc).__name__}: {exc}"]) from exc
        if logs.errors:
            raise BuildError(logs.errors)
        self.settings = settings
        self.context = context
        self.articles_gen = articles_gen
        snapshot.close(self._bodies)  # a model loaded from a snapshot before, now replaced
        self._bodies = None
        self.pages_gen = next(g for g in generators if isinstance(g, PagesGenerator))
        self.static_gen = next(g for g in generators if isinstance(g, StaticGenerator))
        self.plan = articles_gen.relais_plan
        self.by_path = {a.relative_source_path: a for a in articles_gen.articles}
        self.owners = {a.relais_save_as: p for p, a in self.by_path.items()}
        self.page_outputs = {p.save_as for p in context.get("pages", [])}
        self.addresses = articles_gen.relais_addresses
        self.linkers = self._link_index(articles_gen.articles)
        # Pelican's cache of every file's parsed content is saved by now: an update reads only
        # files that changed, so the copy in memory goes
        for generator in (articles_gen, self.pages_gen):
            generator._cache = {}
            generator.readers._cache = {}
        _forget_rendered()
        # The model is millions of long-lived objects: keep the garbage collector's full passes
        # (seconds on a large site, in the middle of a publication) from walking through them.
        _freeze_models()
        return logs.warnings

    @contextlib.contextmanager
    def _other_process_writing(self, gen: Any, writer: Any, logs: Any) -> Iterator[None]:
        """A full build on two processes: a forked copy of this one, which shares the model
        read so far, writes every other article page (with its extras) while this one writes
        the rest, the listings, the pages and the static files; the search index, which reads
        every page, waits for it. Its errors and warnings join this build's."""
        if self.build_processes < 2 or len(gen.articles) < 2:
            yield
            return

        theirs = gen.articles[1::2]
        read_end, write_end = os.pipe()
        pid = _fork()
        if pid == 0:  # the copy: its articles, its report, and nothing else
            code = 1
            try:
                os.close(read_end)
                with capture_logs() as mine:
                    for article in theirs:
                        writer.write_file(
                            article.save_as,
                            gen.get_template(article.template),
                            gen.context,
                            relative_urls=gen.settings["RELATIVE_URLS"],
                            article=article,
                            category=getattr(article, "category", None),
                            override_output=hasattr(article, "override_save_as"),
                            url=article.url,
                            blog=True,
                        )
                        write_article_extras(article, gen.settings, Path(writer.output_path))
                report = {"errors": mine.errors, "warnings": mine.warnings}
                with os.fdopen(write_end, "w", encoding="utf-8") as fh:
                    json.dump(report, fh)
                code = 0
            except BaseException as exc:
                with contextlib.suppress(Exception), os.fdopen(write_end, "w") as fh:
                    json.dump({"errors": [f"{type(exc).__name__}: {exc}"], "warnings": []}, fh)
            finally:
                os._exit(code)
        os.close(write_end)
        done = False

        def wait() -> None:
            nonlocal done
            if done:
                return
            done = True
            with os.fdopen(read_end, encoding="utf-8") as fh:
                text = fh.read()
            _pid, status = os.waitpid(pid, 0)
            try:
                report = json.loads(text)
            except ValueError:
                report = {"errors": [], "warnings": []}
            logs.errors += report["errors"]
            logs.warnings += report["warnings"]
            if os.waitstatus_to_exitcode(status) != 0 and not report["errors"]:
                logs.errors.append("The second process of the full build stopped.")

        elsewhere = {a.save_as for a in theirs}
        real_write_file = writer.write_file

        def write_file(name: str, *args: Any, **kwargs: Any) -> Any:
            if name in elsewhere and kwargs.get("article") is not None:
                return None
            return real_write_file(name, *args, **kwargs)

        writer.write_file = write_file
        gen.relais_written_elsewhere = elsewhere
        gen.relais_before_index = wait
        try:
            yield
        finally:
            wait()
            del writer.write_file
            del gen.relais_written_elsewhere
            del gen.relais_before_index

    def _cache_settings(self) -> dict[str, Any]:
        """Pelican's cache of parsed content, kept per version of the reading code."""
        return {
            "CACHE_CONTENT": True,
            "LOAD_CONTENT_CACHE": True,
            "CONTENT_CACHING_LAYER": "reader",
            "GZIP_CACHE": False,
            "CHECK_MODIFIED_METHOD": "sha1",
            "CACHE_PATH": str(self.paths.cache / f"pelican-{_code_digest()[:12]}"),
        }

    def _source(self, content_digest: int) -> str:
        """A digest of everything the site is built from: content files, settings, code."""
        settings = repr(sorted((k, str(v)) for k, v in self.overrides.items()))
        return hashlib.sha256(
            f"{content_digest:032x}|{settings}|{_code_digest()}".encode()
        ).hexdigest()

    # -- incremental update ----------------------------------------------------------------------

    def update(self, changed: Iterable[str] | None = None) -> UpdateResult:
        """Publish the changes of ``changed`` (paths relative to the content folder: files or
        folders) or, with ``None``, of every file that differs from the last publication."""
        with self.store.lock():
            if self.generation is None or self.store.generation() != self.generation:
                # a new process, or another one published: adopt the live site if it was built
                # from what is here now, else build everything
                adopted = self._adopt()
                if adopted is None and changed is not None:
                    # new files (an export): the live site plus them, without a full build
                    adopted = self._adopt(added=changed)
                if adopted is None:
                    return self._full_build()
                if changed is None:
                    return self._update(None)
            result = self._update(changed)
            if result.kind == "none":  # what an interrupted deploy left is sent now
                result = self._deploy(set(), result)
            return result

    def _update(self, changed: Iterable[str] | None) -> UpdateResult:
        started = time.perf_counter()
        phases: dict[str, float] = {}

        def phase(name: str, since: float) -> float:
            now = time.perf_counter()
            phases[name] = now - since
            return now

        # 1. detect
        scope = None if changed is None else sorted({c.strip("/") for c in changed})
        current = self._scan(scope)
        previous = self.fingerprints.under(scope)
        if scope is None:  # a scan: what differs from the last publication
            touched = {
                p for p in current.keys() | previous.keys() if current.get(p) != previous.get(p)
            }
        else:  # the caller names what changed: trust it, even within one clock tick
            touched = current.keys() | previous.keys()
        if not touched:
            return UpdateResult("none", time.perf_counter() - started)
        if any(_is_global(p) for p in touched):
            return self._full_build()
        sources = {p for p in touched if _is_article_source(p)}
        assets = touched - sources
        # an article shows its picture: a changed picture changes the article's outputs
        for asset in assets:
            owner = asset.split("/", 2)
            if len(owner) == 3 and f"{owner[0]}/{owner[1]}.md" in self.by_path:
                sources.add(f"{owner[0]}/{owner[1]}.md")
        # articles linking to a changed file are read again (Pelican resolves links once)
        for path in touched:
            sources |= {p for p in self.linkers.get(path, ()) if p in self.by_path}
        t = phase("detect", started)

        # 2. read (nothing is modified before every changed file has been read)
        new_articles: dict[str, Any] = {}
        failures = [
            f"content/{p}: {OUTSIDE_CONTENT}" for p in _leading_outside(self.paths.content, touched)
        ]
        with capture_logs() as logs:
            for path in sorted(sources):
                if (self.paths.content / path).is_file():
                    try:
                        new_articles[path] = self._read(path)
                    except Exception as exc:
                        failures.append(str(exc))
            self._prepare(new_articles.values())
        if logs.errors or failures:
            raise BuildError(list(dict.fromkeys([*logs.errors, *failures])))
        self._check_unique_urls(sources, new_articles)
        t = phase("read", t)

        # 3. apply
        old_articles = {p: self.by_path[p] for p in sources if p in self.by_path}
        touched = self._apply(old_articles, new_articles)
        self._apply_assets(assets, current)
        for article in new_articles.values():
            resolve_links(article, self.context)
        t = phase("apply", t)

        # 4. plan
        to_render, to_delete = self._plan_listings(touched)
        articles_to_render, gone = self._plan_articles(old_articles, new_articles)
        to_delete |= gone
        address_specs, address_gone = self.addresses.update(
            old_articles.values(), new_articles.values(), self.settings, self._taken
        )
        to_render += address_specs
        to_delete |= address_gone
        t = phase("plan", t)

        # 5. render
        delta = self.store.new_delta()
        try:
            with capture_logs() as logs:
                self._render(delta, to_render, articles_to_render, assets, current)
            if logs.errors:
                raise BuildError(logs.errors)
            t = phase("render", t)

            # 6. search
            to_delete |= self._search(delta, old_articles.values(), new_articles.values())
            files = delta.folder / "files"
            delta.writes = {str(p.relative_to(files)) for p in files.rglob("*") if p.is_file()}
            delta.deletes = to_delete | {a for a in assets if a not in current}
            t = phase("search", t)

            # 7. publish
            generation = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}"
            digest = self.fingerprints.digest_after(previous, current)
            self.addresses.record()  # the book knows an address before readers can see it
            self.store.publish_delta(delta, generation, self._source(digest))
        except BaseException:
            shutil.rmtree(delta.folder, ignore_errors=True)
            self.generation = None  # the model is ahead of the site: rebuild next time
            raise
        self.generation = generation
        self.fingerprints.replace(previous, current)
        t = phase("publish", t)
        result = UpdateResult(
            "incremental",
            t - started,
            written=len(delta.writes),
            deleted=len(delta.deletes - delta.writes),
            articles=len(self.by_path),
            warnings=logs.warnings,
            phases=phases,
        )
        # 8. deploy
        result = self._deploy(delta.writes | delta.deletes, result)

        # 9. catch up: what can wait until the new site is live
        t = time.perf_counter()
        try:
            self.store.catch_up()
        except OSError as exc:  # the site is live: the next publication catches up first
            logger.warning(
                "The standby tree could not catch up with the publication (%s): the next "
                "publication does it first.",
                exc,
            )
        self._save_snapshot(generation, self._source(digest))
        result.after_live = phases["catch_up"] = time.perf_counter() - t
        result.seconds += result.after_live
        return result

    def _deploy(self, changed: set[str] | None, result: UpdateResult) -> UpdateResult:
        """Copy what the publication changed (None: everything) from the live tree to the
        site's object storage, when it has one. A :class:`~relais.deploy.DeployError` leaves
        the local site published and the rest of the deploy pending for the next build."""
        if self.deployer is None:
            return result
        pages = set(self.owners) | self.page_outputs
        deployed = self.deployer.deploy(self.store.trees()[0], changed, pages)
        result.deployed = len(deployed.changed)
        result.phases["deploy"] = deployed.seconds
        result.seconds += deployed.seconds
        result.warnings += deployed.warnings
        return result

    # -- phases ----------------------------------------------------------------------------------

    def _read(self, path: str) -> Any:
        gen = self.articles_gen
        article = gen.readers.read_file(
            base_path=gen.path,
            path=path,
            content_class=Article,
            context=self.context,
            preread_signal=signals.article_generator_preread,
            preread_sender=gen,
            context_signal=signals.article_generator_context,
            context_sender=gen,
        )
        if not article.is_valid():
            raise BuildError([f"content/{path}: Pelican refused it (see the warnings above)."])
        cache_urls(article)
        return article

    def _check_unique_urls(self, sources: set[str], new_articles: dict[str, Any]) -> None:
        claimed: dict[str, str] = {}
        for path, article in new_articles.items():
            target = article.relais_save_as
            other = claimed.get(target) or self.owners.get(target)
            if other and other not in sources:
                raise BuildError(
                    [
                        f"content/{path} and content/{other} would both be published "
                        f"at /{article.relais_url}: change the slug of one of them."
                    ]
                )
            claimed[target] = path

    def _prepare(self, articles: Iterable[Any]) -> None:
        """Run every plugin's per-article step on new articles (terms, images, calendars)
        while they are being read: the errors they log (a missing picture, a path leading
        outside the content folder) stop the update before anything is modified."""
        settings = self.settings
        content_root, siteurl = Path(self.articles_gen.path), settings["SITEURL"]
        for article in articles:
            attach_article_terms(article, settings)
            resolve_article_images(article, content_root, siteurl)
            set_ics_url(article, siteurl)

    def _apply(self, old: dict[str, Any], new: dict[str, Any]) -> dict[Any, set[int]]:
        """Put the new articles in place of the old ones; returns the listings touched, with
        the years of the items that changed in each (old and new versions)."""
        settings, gen = self.settings, self.articles_gen
        listings = self.plan.listings
        touched: dict[Any, set[int]] = {}
        replaced = {id(a) for a in old.values()}
        _forget_memoized(lambda article: id(article) not in replaced)
        for path, article in old.items():
            gen.articles.remove(article)
            self.plan.events.discard(article)
            self.context["generated_content"].pop(path, None)
            del self.by_path[path]
            if self.owners.get(article.relais_save_as) == path:
                del self.owners[article.relais_save_as]
            for key, _term in keys_and_terms(article):
                touched.setdefault(key, set()).add(article.date.year)
                listing = listings[key]
                listing.remove(article)
                if not listing.articles:
                    del listings[key]
        for path, article in new.items():
            gen.articles.append(article)
            if is_event(article):
                self.plan.events.add(article)
            self.context["generated_content"][path] = article
            self.by_path[path] = article
            self.owners[article.relais_save_as] = path
            for key, term in keys_and_terms(article):
                touched.setdefault(key, set()).add(article.date.year)
                listing = listings.get(key)
                if listing is None:
                    listing = listings[key] = make_listing(key, term, settings)
                listing.add(article)
        by_link = self.context.get(FEEDS_BY_LINK)
        if by_link is not None:  # the feeds' map of addresses to items, kept up to date
            for article in old.values():
                if by_link.get(link := feed_link(self.context, article)) is article:
                    del by_link[link]
            for article in new.values():
                by_link[feed_link(self.context, article)] = article
        return touched

    def _apply_assets(self, assets: set[str], current: dict[str, Fingerprint]) -> None:
        """Register new pictures as Pelican static content (for ``{static}`` links), forget
        removed ones."""
        gen = self.static_gen
        static = self.context["static_content"]
        for path in assets:
            if path in current:
                sc = gen.readers.read_file(
                    base_path=gen.path,
                    path=path,
                    content_class=Static,
                    fmt="static",
                    context=self.context,
                )
                gen.add_source_path(sc, static=True)
            else:
                static.pop(path, None)

    def _plan_listings(self, touched: dict[Any, set[int]]) -> tuple[list[Any], set[str]]:
        """Specs to render and outputs to delete among listings, feeds, home and site files.
        A touched listing's archive pages are planned again for the years of its changed items
        only (and the pages next to them), unless it gains or loses its archives."""
        settings, plan = self.settings, self.plan
        scopes: dict[Any, set[int] | None] = {}
        new_specs: dict[str, Any] = {}
        for key, years in touched.items():
            listing = plan.listings.get(key)
            if listing is None:
                scopes[key] = None  # gone: every output of it goes
                plan.archived.pop(key, None)
                continue
            archived = has_archives(listing, settings)
            scopes[key] = years if plan.archived.get(key) == archived else None
            plan.archived[key] = archived
            new_specs.update((s.path, s) for s in plan_listing(listing, settings, scopes[key]))

        # what was planned before in the same scopes: the site-wide outputs, every output of a
        # listing planned whole, the front pages, feeds and archive pages of the changed years
        # of the others, and the pages next to those (planned again: in new_specs)
        old_specs = {
            spec.path: spec
            for key in [*scopes, None]
            for spec in plan.specs_of(key, scopes.get(key))
        }
        old_specs.update(
            (path, plan.specs[path])
            for path in new_specs.keys() - old_specs.keys()
            if path in plan.specs and plan.specs[path].listing in scopes
        )
        index = plan.listings.get(ListingKey("index")) or make_listing(
            ListingKey("index"), None, settings
        )
        upcoming = plan.events.upcoming(build_now(settings))[:4]
        extra = [
            home_spec(index, settings, upcoming),
            tags_spec(plan.listings, settings),
            *global_specs(plan.listings, plan.events, self.context.get("pages", []), settings),
        ]
        new_specs.update((s.path, s) for s in extra if s is not None)
        to_render = [
            spec
            for path, spec in new_specs.items()
            if path not in old_specs or old_specs[path].signature != spec.signature
        ]
        to_delete = set(old_specs) - set(new_specs)
        plan.replace(to_delete, new_specs)
        return to_render, to_delete

    def _plan_articles(
        self, old: dict[str, Any], new: dict[str, Any]
    ) -> tuple[list[Any], set[str]]:
        """Article pages to render and article outputs that disappeared; keeps the index of
        who links to whom."""
        for path, article in old.items():
            for _kind, target in link_targets(article):
                self.linkers.get(target, set()).discard(path)
        for path, article in new.items():
            for _kind, target in link_targets(article):
                self.linkers.setdefault(target, set()).add(path)
        return list(new.values()), self._article_outputs_gone(old, new)

    def _article_outputs_gone(self, old: dict[str, Any], new: dict[str, Any]) -> set[str]:
        gone: set[str] = set()

        def outputs(article: Any) -> set[str]:
            paths = {article.save_as}
            if article.relais.event is not None:
                paths.add(event_ics_path(article))
            if getattr(article, "social_image_source", None):
                paths.add(article.social_image_source[1])
            return paths

        for path, article in old.items():
            before = outputs(article)
            after = outputs(new[path]) if path in new else set()
            gone |= before - after
        return gone

    def _render(
        self,
        delta: Delta,
        specs: list[Any],
        articles: list[Any],
        assets: set[str],
        current: dict[str, Fingerprint],
    ) -> None:

        files = delta.folder / "files"
        writer = Writer(str(files), settings=self.settings)
        gen, settings = self.articles_gen, self.settings
        for article in articles:
            writer.write_file(
                article.save_as,
                gen.get_template(article.template),
                self.context,
                relative_urls=settings["RELATIVE_URLS"],
                article=article,
                category=getattr(article, "category", None),
                override_output=hasattr(article, "override_save_as"),
                url=article.url,
                blog=True,
            )
            write_article_extras(article, settings, files)
        for spec in specs:
            spec.render(gen, writer)
        _forget_rendered()
        content = Path(gen.path)
        for asset in assets:
            if asset in current:
                target = files / asset
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(content / asset, target)

    def _search(self, delta: Delta, old: Iterable[Any], new: Iterable[Any]) -> set[str]:
        """Index again the shards of the changed items (``old`` and ``new`` versions) into the
        delta; returns the live index files to delete."""
        index = self.plan.listings.get(ListingKey("index"))
        by_year = index.by_year() if index is not None else {}
        live = self.store.trees()[0]
        to_index, gone = shards_to_update(old, new, by_year, published_shards(live))
        if not to_index and not gone:
            return set()
        files = delta.folder / "files"

        def current_page(path: str) -> Path:
            staged = files / path
            return staged if staged.is_file() else live / path

        return update_index(
            shards_of(to_index, current_page),
            gone,
            files,
            live,
            delta.folder / "search-pages",
            self.settings.get("DEFAULT_LANG") or "fr",
        )

    # -- helpers ---------------------------------------------------------------------------------

    def _taken(self, output: str) -> bool:
        """Whether an output path belongs to an item, a page or a listing (an old address
        never takes the place of any of them)."""
        return output in self.owners or output in self.page_outputs or output in self.plan.specs

    @staticmethod
    def _output_taken(articles_gen: Any, pages: list[Any]) -> Any:
        taken = {a.relais_save_as for a in articles_gen.articles}
        taken |= {p.save_as for p in pages} | set(articles_gen.relais_plan.specs)
        return taken.__contains__

    def _scan(self, scope: list[str] | None) -> dict[str, Fingerprint]:
        """A fingerprint of each content file under ``scope`` (everything when None): size,
        modification and change times and inode (an atomic rewrite always gets a new inode)."""
        root = self.paths.content
        found: dict[str, Fingerprint] = {}
        starts = [""] if scope is None else scope
        for start in starts:
            top = root / start if start else root
            if top.is_file():
                found[start] = _fingerprint(top.stat())
                continue
            if not top.is_dir():
                continue
            prefix = f"{Path(start).as_posix()}/" if start else ""
            _fingerprint_folder(str(top), prefix, found)
        return found

    @staticmethod
    def _link_index(articles: Iterable[Any]) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for article in articles:
            for _kind, target in link_targets(article):
                index.setdefault(target, set()).add(article.relative_source_path)
        return index


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """The version of the code, templates and search indexer that make the site (a deploy
    changes it)."""
    root = PELICANCONF.parent.parent
    files = [
        PELICANCONF,
        *sorted((root / "relais").rglob("*.py")),
        *sorted((root / "themes").rglob("*")),
    ]
    h = hashlib.sha256()
    h.update(f"pagefind {pagefind_version()}\0".encode())  # shards of one version only
    for path in files:
        if path.is_file():
            h.update(f"{path.relative_to(root)}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _forget_rendered() -> None:
    """Pelican memoizes every article's rendered content and summary for the life of the
    process, keyed by the article object: forgotten after each render, so that the model holds
    no second copy of every body, and replaced articles can be freed."""
    for name in ("get_content", "get_summary"):
        Content.__dict__[name].cache.clear()


def _forget_memoized(keep: Any) -> None:
    """Pelican memoizes an item's HTML and summary in dictionaries of its ``Content`` class
    (``get_content``, ``get_summary``), keyed by the item: they would keep every model a
    process ever loaded (a worker of a hundred sites grew by a model per site). Entries of the
    items for which ``keep(item)`` is false are dropped (computed again if ever needed)."""
    for name in ("get_content", "get_summary"):
        cache = getattr(Content.__dict__.get(name), "cache", None)
        if cache:
            for key in [k for k in cache if not keep(k[0])]:
                del cache[key]


def _collect_dropped_models() -> None:
    """Before a model comes in (by either way: Pelican's pipeline, or a snapshot): free the
    models dropped since the last time. A loaded model is frozen out of the collector's way
    (:func:`_freeze_models`), so the models a worker drops (a federation's worker keeps a few
    sites warm and lets the others go), unreachable now, stay frozen until a full pass
    unfreezes and frees them. That pass walks every warm model of the process, so it runs once
    every ``FULL_COLLECT_EVERY`` loads, and before the load, so that it never walks the objects
    about to come: a worker of many cold sites holds at most that many dropped models beyond its
    warm ones."""
    global _loads_since_full_collect
    _loads_since_full_collect += 1
    if _loads_since_full_collect < FULL_COLLECT_EVERY:
        return
    _loads_since_full_collect = 0
    contexts = {id(builder.context) for builder in list(_alive)}
    _forget_memoized(lambda article: id(getattr(article, "_context", None)) in contexts)
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _freeze_models(*, replaced: bool = False, collect_young: bool = True) -> None:
    """Move the model just loaded out of the collector's way (``gc.freeze``). The builder's
    previous model, when this one ``replaced`` it, is freed at once (a full pass); else a
    young-generation pass frees the load's own garbage (``collect_young``: a snapshot is loaded
    with the collector off and leaves none, that pass would only walk the objects just
    loaded)."""
    if replaced:
        gc.unfreeze()
        gc.collect()
    elif collect_young:
        gc.collect(1)
    gc.freeze()


def _leave_out(generators: list[Any], context: dict[str, Any], left_out: set[str]) -> None:
    """Take the content files of ``left_out`` out of a model that Pelican just read (items
    and their pictures), before the plan is made: the model is then the one of the site
    without them."""
    for generator in generators:
        # Pelican's source paths are absolute (its relative ones cost a path computation each)
        absolute = {os.path.abspath(os.path.join(generator.path, p)) for p in left_out}
        if isinstance(generator, ArticlesGenerator):
            kept = [a for a in generator.articles if a.source_path not in absolute]
            generator.articles[:] = kept
        elif isinstance(generator, StaticGenerator):
            kept = [s for s in generator.staticfiles if s.source_path not in absolute]
            generator.staticfiles[:] = kept
    for key in ("generated_content", "static_content"):
        for path in left_out:
            context[key].pop(path, None)
    context.pop("_relais_articles_by_link", None)  # made again from the articles kept


def _leading_outside(root: Path, paths: Iterable[str]) -> list[str]:
    """The files among ``paths`` that a symbolic link takes outside the content folder."""
    outside = []
    for path in sorted(paths):
        try:
            inside_content(root, path)
        except OutsideContent:
            outside.append(path)
    return outside


def _fingerprint(st: os.stat_result) -> Fingerprint:
    """What says a file changed: its size, modification and change times and inode, as one
    number (a hash of them, the same in every process: a large site keeps one per file)."""
    return hash((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))


def _fingerprint_folder(folder: str, prefix: str, found: dict[str, Fingerprint]) -> None:
    """Add the fingerprint of each file under ``folder`` to ``found``, by its content path
    (``prefix`` + its path in the folder): hidden names and ``.tmp`` files left out, links to
    folders not followed (as ``os.walk``), and at the top of the content folder (``prefix``
    empty) only the site's own folders: other associations' folders may sit in the content
    folder of an installation's first association."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return  # removed meanwhile, or unreadable: as os.walk, nothing from it
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            if not prefix and name not in CONTENT_FOLDERS:
                continue
            if not entry.is_symlink():
                _fingerprint_folder(entry.path, f"{prefix}{name}/", found)
            continue
        if name.endswith(".tmp"):
            continue
        try:
            found[prefix + name] = _fingerprint(entry.stat())
        except FileNotFoundError:
            continue  # a link to nothing, or removed meanwhile: not a file


def _is_article_source(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 2 and parts[0] in SECTIONS and parts[1].endswith((".md", ".markdown"))


def _is_global(path: str) -> bool:
    """Files whose change affects every page: the site settings and the pages."""
    return ("/" not in path and path.endswith(".yaml")) or path.startswith("pages/")


@dataclass
class BuildResult:
    output_dir: Path
    seconds: float
    files: int
    articles: int
    warnings: list[str] = field(default_factory=list)


def build_site(paths: SitePaths | None = None, **overrides: Any) -> BuildResult:
    """Build the whole site and make it live, or raise :class:`BuildError`."""
    # one build, then the process ends: the model's snapshot is written before it returns
    builder = SiteBuilder(paths or SitePaths.from_env(), snapshots="sync", **overrides)
    result = builder.full_build()
    live = builder.store.builds / builder.store.state()["live"]
    return BuildResult(live, result.seconds, result.written, result.articles, result.warnings)
