"""What every build of the static site shares: where it reads and writes (:class:`SitePaths`),
the Pelican settings of a build, and the collection of the errors Pelican and the Relais plugins
log (any error fails the build: :class:`BuildError`, and the live site stays as it was).

The builds themselves are run by :class:`relais.incremental.SiteBuilder` (and
:func:`relais.incremental.build_site`, a full build), which publishes through
:class:`relais.output_store.OutputStore` (two trees behind the ``site/output`` link, switched
atomically).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican.settings import read_settings

from relais.addresses import FILENAME as ADDRESS_BOOK
from relais.sections import SECTIONS

ROOT = Path(__file__).resolve().parent.parent
#: The folders of a content folder the site is built from (besides its top-level files): the
#: sections, the pages and shared media. Anything else there is not the site's (the folders
#: of a federation's other associations sit in the first association's content folder).
CONTENT_FOLDERS = (*SECTIONS, "pages", "media")
PELICANCONF = ROOT / "site" / "pelicanconf.py"

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
        output = Path(output).absolute()
        return cls(
            content=Path(content).absolute(),
            output=output,
            builds=output.parent / "builds",
            cache=output.parent / "cache",
        )

    @classmethod
    def from_env(cls) -> SitePaths:
        env = os.environ
        return cls.at(
            env.get("RELAIS_CONTENT_DIR", cls.content), env.get("RELAIS_SITE_OUTPUT", cls.output)
        )


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
def capture_logs() -> Iterator[_Collector]:
    collector = _Collector()
    loggers = [logging.getLogger("pelican"), logging.getLogger("relais")]
    for lg in loggers:
        lg.addHandler(collector)
    try:
        yield collector
    finally:
        for lg in loggers:
            lg.removeHandler(collector)


def pelican_settings(paths: SitePaths, output_dir: Path, **overrides: Any) -> dict[str, Any]:
    """Pelican settings for a build of ``paths.content`` into ``output_dir``."""
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
                # every address the site published, kept beside the live trees
                "RELAIS_ADDRESS_BOOK": str(paths.builds / ADDRESS_BOOK),
                **overrides,
            },
        )
    finally:
        if previous is None:
            os.environ.pop("RELAIS_CONTENT_DIR", None)
        else:
            os.environ["RELAIS_CONTENT_DIR"] = previous
    return settings
