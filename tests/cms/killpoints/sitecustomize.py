"""Test support only: stop a worker process at an exact point, for a test to kill it there.

Python imports ``sitecustomize`` when it starts, from ``PYTHONPATH``. When the environment
names a function in ``RELAIS_KILLPOINT`` (``module:Qualified.name``), it is wrapped as soon as
Django is set up (a function of Pelican or of ``relais``, at once, in any Python process started
with this environment); its ``RELAIS_KILLPOINT_CALL``-th call (the first by default) writes the file
``RELAIS_KILLPOINT_MARKER`` and then blocks for ever, ``before`` or ``after`` the real call
(``RELAIS_KILLPOINT_WHEN``). The test waits for the file, then sends SIGKILL. The product's code
knows nothing of it.
"""

from __future__ import annotations

import functools
import importlib
import os
import threading
from pathlib import Path
from typing import Any

TARGET = os.environ.get("RELAIS_KILLPOINT", "")


def _stop_here() -> None:
    Path(os.environ["RELAIS_KILLPOINT_MARKER"]).write_text(str(os.getpid()))
    threading.Event().wait()  # until the test kills this process


def _wrap(func: Any) -> Any:
    when = os.environ.get("RELAIS_KILLPOINT_WHEN", "before")
    stop_at = int(os.environ.get("RELAIS_KILLPOINT_CALL", "1"))
    calls = 0

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == stop_at and when == "before":
            _stop_here()
        result = func(*args, **kwargs)
        if calls == stop_at and when == "after":
            _stop_here()
        return result

    return wrapper


def _install() -> None:
    module_name, _, qualname = TARGET.partition(":")
    owner: Any = importlib.import_module(module_name)
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    raw = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
    if isinstance(raw, classmethod | staticmethod):
        setattr(owner, name, type(raw)(_wrap(raw.__func__)))
    else:
        setattr(owner, name, _wrap(raw))


if TARGET.partition(".")[0] in ("pelican", "relais"):
    # needs no Django: installed now, so that it also stops the process of a full build (a
    # new interpreter that the worker starts, which never sets Django up)
    _install()
elif TARGET:
    import django

    _setup = django.setup

    def _setup_then_install(*args: Any, **kwargs: Any) -> None:
        _setup(*args, **kwargs)
        _install()

    django.setup = _setup_then_install
