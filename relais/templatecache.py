"""Compiled theme templates shared by every site builder of a process.

Each Pelican generator makes its own Jinja environment, so each :class:`SiteBuilder` compiled
the theme's templates again on its first render: about a second of parsing and code generation
for a site that a worker adopts cold (a federation's worker serves many sites, most of them
cold). A Jinja bytecode cache shared by the process compiles each template once: an
environment then loads the compiled code of a template whose source is unchanged (Jinja
compares a checksum of the source, so an edited template is compiled again).

The compiled code depends on the environment's options (autoescape, whitespace control,
extensions): the cache keeps one namespace per set of options.
"""

from __future__ import annotations

import threading
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache

_lock = threading.Lock()
_compiled: dict[tuple[str, str], bytes] = {}


class SharedBytecodeCache(BytecodeCache):
    """Jinja's compiled templates, in this process's memory, for environments of the same
    options (``namespace``)."""

    def __init__(self, namespace: str):
        self.namespace = namespace

    def load_bytecode(self, bucket: Bucket) -> None:
        with _lock:
            data = _compiled.get((self.namespace, bucket.key))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        data = bucket.bytecode_to_string()
        with _lock:
            _compiled[(self.namespace, bucket.key)] = data

    def clear(self) -> None:
        with _lock:
            for key in [k for k in _compiled if k[0] == self.namespace]:
                del _compiled[key]


def with_shared_templates(options: dict[str, Any]) -> dict[str, Any]:
    """``JINJA_ENVIRONMENT`` options with the process's shared bytecode cache."""
    options = {k: v for k, v in options.items() if k != "bytecode_cache"}
    namespace = repr(sorted((k, repr(v)) for k, v in options.items()))
    return {**options, "bytecode_cache": SharedBytecodeCache(namespace)}
