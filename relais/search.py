"""The site's search index: Pagefind bundles built with the site, in shards of a bounded size.

Pagefind (the ``pagefind-bin`` package ships its program) reads built pages and writes a
static index that the search page (``/recherche/``) queries in the browser: no server. It reads
only the part of each item's page marked ``data-pagefind-body`` (``article.html``), with the
standfirst and the section as metadata and the section and class years as filters.

Pagefind cannot add a page to an index it wrote, nor remove one: an index is rebuilt from its
pages, at about a millisecond a page. One index for a 10,000-item site would cost ten seconds at
every publication. So the index is cut into **shards**, each a complete Pagefind bundle
(``recherche/index/<name>/``); the search page lists them in ``recherche/index/shards.json``
and merges them (Pagefind's ``mergeIndex``: merged bundles share the first one's WebAssembly,
and their filter counts add up). A publication indexes again only the shards of the items it
changed, into the delta that the live site switches to atomically.

A shard holds the items of one year (named ``2024``) while the year has at most
:data:`SHARD_PAGES` items. A larger year is cut **by content**, like a backup tool cuts a file
into chunks: its pages in the order of their paths, a shard ends at the first page whose
address hashes to a multiple of 75 once it holds 150 pages (:func:`least`, for a bound of 400),
or when it holds :data:`SHARD_PAGES` pages. A shard is named after the year and
the hash of its first page (``2024-3fa9c21b``). So the shards of a year are of the same sizes
whatever the size of the site (most between 150 and 300 pages), an edit indexes again its
item's shard only, and an item added or withdrawn changes its own shard and seldom the next
one: a publication indexes about the same number of pages at 10,000 items as at 50,000. Only a
year that goes above the bound (or back under it) is indexed again as a whole. The names depend
only on the items: a full build and an update write the same index
(``tests/site/test_incremental.py``). Not always the same bytes: Pagefind writes the values of a
filter in the order of a hash map, which changes from one run to the next, and with it the names
of the filter files and of the file that lists them; the tests compare what the index holds.
The phases, for one shard:

1. **gather**: the current page of each of its items is hard-linked into a work folder (an
   update takes the pages it just rendered from its delta, the others from the live tree);
2. **index**: Pagefind indexes the folder into the shard's output folder; shards run in
   parallel, one process per processor;
3. **trim**: Pagefind's ready-made interfaces are removed (the theme has its own script);
4. **compare** (an update only): files identical to the live ones are not written again, and
   the live shard's files that Pagefind did not write again are deleted.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import zlib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from relais.buildconfig import BuildError

SEARCH_FOLDER = "recherche/index"
MANIFEST = f"{SEARCH_FOLDER}/shards.json"
#: The most items a shard holds (a year above it is cut by content into shards of 3/8 of it to
#: all of it): a publication indexes at most this many pages again, half a second here.
SHARD_PAGES = 400
#: What Pagefind writes for its own interfaces: the theme's search page has its own script.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


try:
    from pagefind_bin import get_executable
except ImportError:  # the build says what to install
    get_executable = None


class SearchIndexError(BuildError):
    """Pagefind could not index the site (the message says why and what to do)."""


def shard_folder(name: str) -> str:
    """Where the shard ``name`` is published, relative to the site's root."""
    return f"{SEARCH_FOLDER}/{name}"


def least() -> int:
    """The fewest pages a shard of a year above the bound holds (but the year's last shard)."""
    return max(2, SHARD_PAGES * 3 // 8)


def _mark(page: str) -> int:
    return zlib.crc32(page.encode("utf-8"))


def _ends_a_shard(page: str) -> bool:
    """Whether a shard that holds at least :func:`least` pages ends at ``page``: one page in
    about half of that, by its address's hash."""
    return _mark(page) % max(2, SHARD_PAGES * 3 // 16) == 0


def cut_year(year: int, pages: Iterable[str]) -> dict[str, list[str]]:
    """The shards of the year ``year`` whose items' pages (output paths) are ``pages``: each
    shard's name and its pages, in the order of their paths."""
    pages = sorted(pages)
    if len(pages) <= SHARD_PAGES:
        return {str(year): pages} if pages else {}
    fewest = least()
    shards: dict[str, list[str]] = {}
    start = 0
    for end, page in enumerate(pages, 1):
        size = end - start
        cut = size >= SHARD_PAGES or (size >= fewest and _ends_a_shard(page))
        if cut or end == len(pages):
            name = f"{year}-{_mark(pages[start]):08x}"
            if name in shards:  # two first pages, one hash: numbered in the order of the pages
                twins = (f"{name}-{n}" for n in itertools.count(2))
                name = next(twin for twin in twins if twin not in shards)
            shards[name] = pages[start:end]
            start = end
    return shards


#: A shard's name: its year, then (a year cut in several) the hash of its first page, and a
#: number where two first pages share a hash; ``-3-of-8`` is how earlier versions cut a year.
SHARD_NAME = re.compile(r"(\d{4})(?:-[0-9a-f]{8}(?:-\d+)?|-\d+-of-\d+)?")


def shard_year(name: str) -> int | None:
    """The year of the shard ``name`` (None: not a shard's name)."""
    match = SHARD_NAME.fullmatch(name)
    return int(match.group(1)) if match else None


def _newest_first(name: str) -> tuple[int, str]:
    return (-int(name[:4]), name)


def manifest_bytes(names: Iterable[str]) -> bytes:
    """``shards.json``: the shards the search page merges, newest year first."""
    shards = sorted(set(names), key=_newest_first)
    return (json.dumps({"shards": shards}, separators=(",", ":")) + "\n").encode("utf-8")


def published_shards(root: Path) -> set[str]:
    """The shards the site at ``root`` publishes (its index's folders)."""
    folder = root / SEARCH_FOLDER
    if not folder.is_dir():
        return set()
    return {p.name for p in folder.iterdir() if p.is_dir() and shard_year(p.name) is not None}


def pagefind_program() -> Path:
    """Pagefind's program, shipped in the ``pagefind-bin`` wheel."""
    try:
        if get_executable is None:
            raise FileNotFoundError("pagefind-bin is not installed")
        return Path(get_executable())
    except FileNotFoundError as exc:
        raise SearchIndexError(
            [
                f"Pagefind, which builds the search index, cannot run ({exc}): run `make "
                "install` (or `pip install pagefind-bin`) and build again."
            ]
        ) from exc


def pagefind_version() -> str:
    """The version of Pagefind that writes the index (every shard must come from the same)."""
    try:
        return metadata.version("pagefind-bin")
    except metadata.PackageNotFoundError:
        return ""


@dataclass
class Shard:
    """The pages of one shard: output path of each page -> the file that holds it now."""

    name: str
    pages: dict[str, Path] = field(default_factory=dict)


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system: a copy does as well
        shutil.copyfile(source, target)


def index_shard(shard: Shard, output: Path, workdir: Path, lang: str) -> None:
    """Gather, index and trim one shard into ``output`` (a folder that must not exist)."""
    pages = workdir / shard.name
    shutil.rmtree(pages, ignore_errors=True)
    for path, source in sorted(shard.pages.items()):
        _link(source, pages / path)
    run = subprocess.run(
        [
            str(pagefind_program()),
            "--site",
            str(pages),
            "--output-path",
            str(output),
            "--force-language",
            lang.split("-")[0] or "fr",
            "--silent",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    shutil.rmtree(pages, ignore_errors=True)
    if run.returncode or not (output / "pagefind-entry.json").is_file():
        detail = (run.stderr or run.stdout).strip()[-2000:]
        raise SearchIndexError(
            [
                f"Pagefind could not index the items of {shard.name} (exit {run.returncode}): "
                f"{detail or 'no message'}. Build again; if it fails the same way, install "
                "the pagefind-bin package for this machine again (`make install`)."
            ]
        )
    for name in UNUSED:
        (output / name).unlink(missing_ok=True)


def index_shards(shards: Iterable[Shard], root: Path, workdir: Path, lang: str) -> list[str]:
    """Index every shard into ``root/<SEARCH_FOLDER>/<name>``, in parallel; returns the names."""
    shards = list(shards)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            futures = [
                pool.submit(index_shard, s, root / shard_folder(s.name), workdir, lang)
                for s in shards
            ]
            for future in futures:
                future.result()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return [s.name for s in shards]


def build_index(shards: Iterable[Shard], root: Path, workdir: Path, lang: str) -> None:
    """The whole index of a full build, written into the site's folder ``root``."""
    shutil.rmtree(root / SEARCH_FOLDER, ignore_errors=True)
    names = index_shards(shards, root, workdir, lang)
    manifest = root / MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_bytes(manifest_bytes(names))


def update_index(
    shards: Iterable[Shard],
    gone: Iterable[str],
    staged: Path,
    live: Path,
    workdir: Path,
    lang: str,
) -> set[str]:
    """Index again the ``shards`` an update touched and stage what changed under ``staged``
    (the delta's files); ``gone`` are the live shards the site no longer has (a year left
    without items, or cut into another count of shards). Returns the output paths to delete
    from the live tree."""
    shards = list(shards)
    gone = set(gone)
    index_shards(shards, staged, workdir, lang)
    deletes: set[str] = set()
    for name in [s.name for s in shards] + sorted(gone):
        folder = shard_folder(name)
        deletes |= _compare(staged / folder, live / folder, folder)
    manifest = staged / MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    names = (published_shards(live) - gone) | {s.name for s in shards}
    manifest.write_bytes(manifest_bytes(names))
    _compare(manifest, live / MANIFEST, MANIFEST)
    return deletes


def _compare(new: Path, old: Path, prefix: str) -> set[str]:
    """Unstage the files of ``new`` (a file or a folder) that ``old`` already holds with the
    same bytes; returns the paths (under ``prefix``) that ``old`` has and ``new`` has not."""
    if new.is_file() or old.is_file():
        if new.is_file() and old.is_file() and _same(new, old):
            new.unlink()
        return set() if new.exists() or not old.is_file() else {prefix}
    staged = _files(new)
    published = _files(old)
    for rel in staged.keys() & published.keys():
        if _same(staged[rel], published[rel]):
            staged[rel].unlink()
    return {f"{prefix}/{rel}" for rel in published.keys() - staged.keys()}


def _files(folder: Path) -> Mapping[str, Path]:
    """Every file under ``folder``, by its path relative to it (``os.walk``: pathlib's
    ``rglob`` costs more than the comparison at a few hundred files)."""
    found: dict[str, Path] = {}
    for dirpath, _dirnames, filenames in os.walk(folder):
        rel = os.path.relpath(dirpath, folder)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in filenames:
            found[prefix + name] = Path(dirpath, name)
    return found


def _same(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
