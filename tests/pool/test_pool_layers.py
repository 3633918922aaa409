"""The pool sits on top: it imports the apps below it (content, federation, publishing, social,
stats), nothing of Relais imports it (but the demo loader, which sits above every app to fill
them all), and it hides no import inside a function (an import cycle dodged that way is still
a cycle). Django's own idiom, ``AppConfig.ready()``, is the one
exception."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import ROOT

CMS = ROOT / "cms"
POOL = CMS / "pool"
#: Above every app: the demo content fills them all (the pool's shared items included).
TOP = CMS / "demo"


def modules(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "migrations" not in p.parts]


def imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_nothing_below_imports_the_pool():
    offenders = [
        str(path.relative_to(ROOT))
        for path in modules(CMS)
        if POOL not in path.parents
        and TOP not in path.parents
        and any(
            n == "cms.pool" or n.startswith("cms.pool.")
            for n in imported(ast.parse(path.read_text()))
        )
    ]
    assert offenders == []


def test_the_pool_imports_nothing_inside_a_function():
    found = []
    for path in modules(POOL):
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if path.name == "apps.py" and func.name == "ready":
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} in {func.name}()")
    assert found == []
