"""The repository stands on its own: no file in it reads or names a folder outside it.

Tests, scripts and docstrings may name paths inside the repository, system programs (Debian's
``/usr/bin/chromium``) and the user's cache (``~/.cache``); never a folder of the machine the
project was written on, a folder beside the checkout, or a variable pointing to one.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support import ROOT

#: Paths outside the repository, as they were once written in it.
OUTSIDE = re.compile(
    r"""
      /work/                        # the workplace the project was written in
    | \bshared/(?:specs|peers)\b     # its API descriptions and peer scripts
    | \.\./shared\b                  # a folder beside the checkout
    | ["']shared["']\s*/\s*["'](?:specs|peers)["']  # the same, joined as a Path
    | \bRELAIS_(?:SPECS|PEERS)_DIR\b # variables that pointed to them
    | (?<![\w.~])/(?:home|root|Users)/\w  # somebody's home folder
    """,
    re.VERBOSE,
)
#: The regression tests that name those places on purpose, to show they are no longer read.
NAMING_ON_PURPOSE = {"tests/test_repository.py", "tests/syndication/test_synd_peers.py"}


def repository_files() -> list[Path]:
    """The files the repository holds: what ``git`` tracks and what is new and not ignored
    (caches, virtualenvs and build output never count, whatever made them)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def outside_references(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):  # pictures, compiled catalogues
        return []
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]


def test_no_file_names_a_folder_outside_the_repository():
    files = repository_files()
    assert ROOT / "tests" / "syndication" / "conftest.py" in files
    assert ROOT / "syndication" / "testing" / "bluesky" / "guard.js" in files
    assert ROOT / "tests" / "syndication" / "test_synd_peers.py" in files
    found = [
        ref
        for path in files
        if path.relative_to(ROOT).as_posix() not in NAMING_ON_PURPOSE
        for ref in outside_references(path)
    ]
    assert found == [], "\n".join(found)


def test_the_check_finds_what_it_looks_for():
    samples = [
        'Path("/work/shared/specs")',
        'REPO_ROOT.parent / "shared" / "peers" / "bluesky"',
        "``<repo>/../shared/peers/bluesky``",
        'os.environ.get("RELAIS_SPECS_DIR")',
        "open('/home/someone/notes.txt')",
    ]
    found = [bool(OUTSIDE.search(sample)) for sample in samples]
    assert all(found), [s for s, f in zip(samples, found, strict=True) if not f]
    inside = [
        "tests/fixtures/contracts/meta",
        "~/.cache/relais-peers",
        "/usr/bin/chromium",
        "{% include 'wagtailadmin/shared/header.html' %}",
    ]
    assert not any(OUTSIDE.search(sample) for sample in inside)
