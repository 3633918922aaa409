"""Paths written in content files — pictures, links in bodies — stay inside ``content/``.

A path is relative to the file it is written in (``mon-article/photo.jpg`` next to
``actualites/mon-article.md``); in a body, Pelican's ``{static}/media/x.jpg`` starts from the
content folder. Three checks keep every path inside the folder: :func:`content_path`, on the
text alone (``../..``, absolute paths), when a file is read; :func:`inside_content`, on the
disk (a symbolic link pointing elsewhere), before a file is read or copied into the site; and
:func:`links_leading_outside`, before a build reads the folder. They refuse with the same
message, :data:`OUTSIDE_CONTENT`, whether or not the target exists: an error never tells
whether some file exists outside the folder.
"""

from __future__ import annotations

import os
import posixpath
import unicodedata
from pathlib import Path

OUTSIDE_CONTENT = (
    "the path must stay inside the content folder: put the file in content/, next to the item, "
    "and give its path from the item's file (e.g. mon-article/photo.jpg)."
)


class BadContentPath(ValueError):
    """A path written in a content file that cannot be used; the message says what to do."""


class OutsideContent(BadContentPath):
    """A path that leads outside the content folder."""

    def __init__(self) -> None:
        super().__init__(OUTSIDE_CONTENT)


def content_path(folder: str, target: str, *, from_root: bool = False) -> str:
    """``target``, written in a file of ``folder``, as a path from the content folder.

    ``folder`` is relative to the content folder (``actualites``). A ``target`` starting with
    ``/`` is from the content folder when ``from_root`` (Pelican's ``{static}/x``), else
    refused. Raises :class:`OutsideContent` for a path that leaves the folder."""
    for position, char in enumerate(target, start=1):
        if unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            raise BadContentPath(
                f"contains an invisible character (U+{ord(char):04X}, character {position}): "
                "remove it."
            )
    path = target.replace("\\", "/")  # a browser, and Windows, read a backslash as a slash
    if path.startswith("/"):
        if not from_root:
            raise OutsideContent()
        joined = path.lstrip("/")
    else:
        joined = posixpath.join(folder.replace(os.sep, "/"), path)
    normal = posixpath.normpath(joined) if joined else "."
    if normal == ".." or normal.startswith("../") or normal.startswith("/"):
        raise OutsideContent()
    return normal


def inside_content(root: str | Path, relative: str) -> Path:
    """The file ``root/relative`` once symbolic links are followed, if it is still inside
    ``root``; else :class:`OutsideContent`. Works the same whether or not the file exists."""
    base = Path(os.path.realpath(root))
    real = Path(os.path.realpath(base / relative))
    if real != base and base not in real.parents:
        raise OutsideContent()
    return real


def links_leading_outside(root: str | Path) -> list[str]:
    """The symbolic links under ``root`` (to files or folders) that lead outside it, as paths
    from ``root``. A build refuses them before anything reads the folder: Pelican walks into
    linked folders and copies what links point to. Hidden names are left aside, as the site
    ignores them (a folder a link leads into is seen through the link)."""
    base = os.path.realpath(root)
    found, seen = [], set()
    pending = [(base, "")]
    while pending:
        folder, prefix = pending.pop()
        real = os.path.realpath(folder)
        if real in seen:
            continue
        seen.add(real)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                relative = f"{prefix}{entry.name}"
                if entry.is_symlink():
                    try:
                        inside_content(base, relative)
                    except OutsideContent:
                        found.append(relative)
                        continue
                    if entry.is_dir():
                        pending.append((entry.path, relative + "/"))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, relative + "/"))
    return sorted(found)
