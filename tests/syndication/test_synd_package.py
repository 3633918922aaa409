"""The package stays framework-free, and its registry follows the project's conventions."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import syndication
from syndication.registry import Network, NetworkRegistry

REPO_ROOT = Path(__file__).resolve().parents[2]


def all_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(syndication.__path__, "syndication.")
        if m.name != "syndication.__main__"
    )


def test_no_module_imports_django():
    modules = all_modules()
    assert "syndication.networks.bluesky" in modules and "syndication.testing.fakes.x" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "found = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "assert not found, found\n"
        "print('ok', len(sys.modules))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_registry_register_and_overrides():
    registry = NetworkRegistry()

    @registry.register
    class Example(Network):
        """A network for the test."""

        name = "example"
        label = "Example"
        max_length = 10

    assert registry["example"] is Example
    assert Example(max_length=20).max_length == 20 and Example.max_length == 10
    with pytest.raises(TypeError, match="no setting 'colour'"):
        Example(colour="red")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Example)

    class Nameless(Network):
        pass

    with pytest.raises(ValueError, match="needs a 'name'"):
        registry.register(Nameless)
