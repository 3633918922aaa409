"""``relais/`` stays framework-free (the watching engine and the address policy included), and
the Django side says the policy's refusals with the same French sources."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import relais
from cms.core import outbound as admin_side
from relais import outbound

REPO_ROOT = Path(__file__).resolve().parents[2]


def all_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(relais.__path__, "relais.")
        if m.name != "relais.__main__"
    )


def test_no_module_of_relais_imports_django():
    modules = all_modules()
    assert {"relais.outbound", "relais.watching.cycle", "relais.watching.testing"} <= set(modules)
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
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_the_admin_says_the_policy_refusals_with_the_same_french_sources():
    assert dict(admin_side.MESSAGES) == dict(outbound.MESSAGES)
