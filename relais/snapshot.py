"""The warm builder's model on disk, so that a worker that starts is ready in seconds.

After each publication the builder writes its model (every article's metadata and rendered
body, the plan of listings with each output's signature, the addresses, the index of links) as
one file next to the live trees, ``site/builds/model.pickle``: a header line (JSON) that says
what the model was built from, then a pickle. A worker that starts loads it instead of reading
every content file through Pelican again, but only when it matches what is there now:

- the format, Python's and Pelican's versions are those of the reader;
- the digest of the content, settings and code (``source``) and the publication
  (``generation``) are the live site's, and the content files' fingerprints are those found now;
- the address book is the one the model was saved with;
- the payload has the size and the checksum the header names (a file cut short or damaged).

Anything else is a :class:`SnapshotRefused` with its reason, and the builder takes the slow
path (the same model, read through Pelican): a snapshot is never trusted blindly.

The file is written under a temporary name and renamed, so a reader sees a whole snapshot or
the previous one. The outputs' render functions are not saved (they are closures): a loaded
plan is only compared with the next one, whose outputs are rendered by freshly made specs.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import json
import os
import pickle
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from relais.pelican.listings import Spec

FILENAME = "model.pickle"
MAGIC = b"RELAIS-MODEL\n"
FORMAT = 1


class SnapshotRefused(Exception):
    """The snapshot does not describe the live site (or cannot be read): build the model the
    slow way."""


def _loaded_spec_render(generator: Any, writer: Any) -> None:
    raise RuntimeError(
        "An output planned before the worker started is compared with the new plan, never "
        "rendered: plan it again."
    )


def _reduce_spec(spec: Spec) -> tuple:
    return (Spec, (spec.path, spec.kind, spec.listing, spec.signature, _loaded_spec_render))


def versions() -> dict[str, str]:
    return {
        "format": str(FORMAT),
        "python": sys.version.split()[0],
        "pelican": version("pelican"),
    }


def file_stamp(path: Path) -> list[int] | None:
    """What says a file changed (size, modification time, inode), or None when absent."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def dumps(model: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[Spec] = _reduce_spec
    pickler.dump(model)
    return buffer.getvalue()


def write(path: Path, header: dict[str, Any], model: dict[str, Any]) -> None:
    """Write the snapshot atomically (a temporary file renamed over the previous one)."""
    payload = dumps(model)
    header = {
        **header,
        **versions(),
        "size": len(payload),
        "blake2b": hashlib.blake2b(payload).hexdigest(),
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC)
            fh.write(json.dumps(header, sort_keys=True).encode() + b"\n")
            fh.write(payload)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def read_header(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise SnapshotRefused(f"{path.name} is not a model snapshot")
            return json.loads(fh.readline())
    except FileNotFoundError:
        raise SnapshotRefused("no snapshot") from None
    except (OSError, ValueError) as exc:
        raise SnapshotRefused(f"unreadable header: {exc}") from exc


def load(path: Path, expected: dict[str, Any]) -> dict[str, Any]:
    """The model saved in ``path``, when its header has every value of ``expected`` (and this
    reader's versions) and its payload is whole; else :class:`SnapshotRefused`."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise SnapshotRefused(f"{path.name} is not a model snapshot")
            header = json.loads(fh.readline())
            if not isinstance(header, dict):
                raise SnapshotRefused("unreadable header")
            for key, value in {**versions(), **expected}.items():
                if header.get(key) != value:
                    raise SnapshotRefused(f"made for another {key}")
            payload = fh.read()
    except FileNotFoundError:
        raise SnapshotRefused("no snapshot") from None
    except (OSError, ValueError) as exc:
        raise SnapshotRefused(f"unreadable: {exc}") from exc
    if len(payload) != header.get("size"):
        raise SnapshotRefused(f"cut short ({len(payload)} bytes of {header.get('size')})")
    if hashlib.blake2b(payload).hexdigest() != header.get("blake2b"):
        raise SnapshotRefused("damaged (its checksum differs)")
    try:
        # only the builder writes this folder (it holds the live site itself): a file there is
        # as trusted as the pages it serves
        model = pickle.loads(payload)  # noqa: S301
    except Exception as exc:  # a payload with the right checksum that this code cannot read
        raise SnapshotRefused(f"unreadable model: {type(exc).__name__}: {exc}") from exc
    if not isinstance(model, dict):
        raise SnapshotRefused("unreadable model")
    return model
