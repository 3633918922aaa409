"""The watch sits on top, beside the pool: it imports the apps below it (content, federation,
publishing) and the framework-free engine, nothing of Relais imports it (but the settings that
install it), and it hides no import inside a function (``AppConfig.ready`` aside)."""

from __future__ import annotations

import ast

from tests.pool.test_pool_layers import CMS, imported, modules
from tests.support import ROOT

WATCH = CMS / "watch"


def test_nothing_below_imports_the_watch():
    offenders = [
        str(path.relative_to(ROOT))
        for path in modules(CMS)
        if WATCH not in path.parents
        and any(
            n == "cms.watch" or n.startswith("cms.watch.")
            for n in imported(ast.parse(path.read_text()))
        )
    ]
    assert offenders == []


def test_the_watch_imports_nothing_inside_a_function():
    found = []
    for path in modules(WATCH):
        for func in ast.walk(ast.parse(path.read_text())):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if path.name == "apps.py" and func.name == "ready":
                continue
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno} in {func.name}()"
                for node in ast.walk(func)
                if isinstance(node, ast.Import | ast.ImportFrom)
            ]
    assert found == []
    # and the engine stays free of Django
    engine = ROOT / "relais" / "watching"
    assert not [
        p.name
        for p in engine.glob("*.py")
        if any(n.startswith("django") for n in imported(ast.parse(p.read_text())))
    ]
