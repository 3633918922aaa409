"""Build the static site from ``content/`` with Pelican, atomically.

Phases: *configure* (Pelican settings from ``site/pelicanconf.py`` and the environment),
*generate* (Pelican writes into a fresh folder under ``site/builds/``), *check* (any error that
Pelican or a Relais plugin logged fails the build), *publish* (``site/output`` is a symbolic link
switched to the new folder with one atomic rename), *prune* (old builds beyond the last few go).

A failed build raises :class:`BuildError` carrying every error message, and leaves the live site
exactly as it was. Builds are serialised with a lock file, so two workers never interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PELICANCONF = ROOT / "site" / "pelicanconf.py"
KEEP_BUILDS = 3

logger = logging.getLogger(__name__)


class BuildError(RuntimeError):
    """The site could not be built; the live site was left untouched."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        summary = "\n".join(f"- {e}" for e in errors[:20])
        more = f"\n(and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(
            f"The site was not published: {len(errors)} error(s) in the build. The live site "
            f"is unchanged. Fix the content named below and publish again.\n{summary}{more}"
        )


@dataclass
class SitePaths:
    """Where a build reads and writes. Defaults follow the repository layout."""

    content: Path = ROOT / "content"
    output: Path = ROOT / "site" / "output"  # symbolic link to the live build
    builds: Path = ROOT / "site" / "builds"
    cache: Path = ROOT / "site" / "cache"

    @classmethod
    def at(cls, content: str | Path, output: str | Path) -> SitePaths:
        """Paths for a content folder and a live-site link; builds and cache sit beside it."""
        output = Path(output)
        return cls(content=Path(content), output=output, builds=output.parent / "builds",
                   cache=output.parent / "cache")

    @classmethod
    def from_env(cls) -> SitePaths:
        env = os.environ
        return cls.at(env.get("RELAIS_CONTENT_DIR", cls.content),
                      env.get("RELAIS_SITE_OUTPUT", cls.output))


@dataclass
class BuildResult:
    output_dir: Path
    seconds: float
    files: int
    articles: int
    warnings: list[str] = field(default_factory=list)


class _Collector(logging.Handler):
    """Keeps the warnings and errors logged during a build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(message)


@contextlib.contextmanager
def _capture_logs() -> Iterator[_Collector]:
    collector = _Collector()
    loggers = [logging.getLogger("pelican"), logging.getLogger("relais")]
    for lg in loggers:
        lg.addHandler(collector)
    try:
        yield collector
    finally:
        for lg in loggers:
            lg.removeHandler(collector)


@contextlib.contextmanager
def build_lock(paths: SitePaths) -> Iterator[None]:
    paths.builds.mkdir(parents=True, exist_ok=True)
    with open(paths.builds / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def pelican_settings(paths: SitePaths, output_dir: Path, **overrides: Any) -> dict[str, Any]:
    """Pelican settings for a build of ``paths.content`` into ``output_dir``."""
    from pelican.settings import read_settings

    if "SITEURL" in overrides:
        overrides["SITEURL"] = str(overrides["SITEURL"]).rstrip("/")
        overrides.setdefault("FEED_DOMAIN", overrides["SITEURL"])
    previous = os.environ.get("RELAIS_CONTENT_DIR")
    os.environ["RELAIS_CONTENT_DIR"] = str(paths.content)
    try:
        settings = read_settings(
            str(PELICANCONF),
            override={
                "PATH": str(paths.content),
                "OUTPUT_PATH": str(output_dir),
                "CACHE_PATH": str(paths.cache),
                "DELETE_OUTPUT_DIRECTORY": False,
                **overrides,
            },
        )
    finally:
        if previous is None:
            os.environ.pop("RELAIS_CONTENT_DIR", None)
        else:
            os.environ["RELAIS_CONTENT_DIR"] = previous
    return settings


def generate(paths: SitePaths, output_dir: Path, **overrides: Any) -> tuple[int, list[str]]:
    """Run Pelican into ``output_dir``. Returns (number of articles, warnings)."""
    from pelican import Pelican

    from relais.siteconfig import SiteConfigError

    try:
        settings = pelican_settings(paths, output_dir, **overrides)
    except SiteConfigError as exc:
        raise BuildError([str(exc)]) from exc
    with _capture_logs() as logs:
        pelican = Pelican(settings)
        try:
            articles = _run(pelican)
        except Exception as exc:
            logger.debug("Pelican failed", exc_info=True)
            raise BuildError([*logs.errors, f"{type(exc).__name__}: {exc}"]) from exc
    if logs.errors:
        raise BuildError(logs.errors)
    if not (output_dir / "index.html").exists():
        raise BuildError(["the build wrote no home page (index.html)."])
    return articles, logs.warnings


def _run(pelican: Any) -> int:
    """``Pelican.run`` without its console report; returns the number of articles."""
    from pelican import signals
    from pelican.generators import ArticlesGenerator

    captured: dict[str, int] = {}

    def count(generator: Any) -> None:
        if isinstance(generator, ArticlesGenerator):
            captured["articles"] = len(generator.articles)

    signals.article_generator_finalized.connect(count)
    try:
        pelican.run()
    finally:
        signals.article_generator_finalized.disconnect(count)
    return captured.get("articles", 0)


def publish(paths: SitePaths, output_dir: Path) -> None:
    """Point ``paths.output`` at ``output_dir`` with one atomic rename."""
    if paths.output.exists() and not paths.output.is_symlink():
        # A real folder from an older layout: move it aside so the link can take its place.
        shutil.move(str(paths.output), str(paths.builds / f"legacy-{int(time.time())}"))
    tmp_link = paths.output.with_name(f".{paths.output.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    tmp_link.symlink_to(os.path.relpath(output_dir, paths.output.parent))
    os.replace(tmp_link, paths.output)


def prune(paths: SitePaths, keep: int = KEEP_BUILDS) -> None:
    live = paths.output.resolve() if paths.output.is_symlink() else None
    builds = sorted(
        (p for p in paths.builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in builds[:-keep]:
        if old != live:
            shutil.rmtree(old, ignore_errors=True)


def build_site(paths: SitePaths | None = None, **overrides: Any) -> BuildResult:
    """Build the whole site and make it live, or raise :class:`BuildError`."""
    paths = paths or SitePaths.from_env()
    started = time.perf_counter()
    with build_lock(paths):
        stamp = time.strftime("%Y%m%dT%H%M%S")
        output_dir = paths.builds / f"{stamp}-{time.time_ns() % 10**9:09d}"
        output_dir.mkdir(parents=True)
        try:
            articles, warnings = generate(paths, output_dir, **overrides)
        except BaseException:
            shutil.rmtree(output_dir, ignore_errors=True)
            raise
        publish(paths, output_dir)
        prune(paths)
    files = sum(len(f) for _, _, f in os.walk(output_dir))
    return BuildResult(output_dir, time.perf_counter() - started, files, articles, warnings)
