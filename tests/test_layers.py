"""The apps at the bottom of the CMS import only what is below them.

The content (the items and their pages) is what every other app builds on: it must not import
the apps above it (syndication's Social tab, the statistics…), which plug their parts into the
item's edit view through Wagtail hooks instead (``cms.content.models.ITEM_PANELS_HOOK``). An
import hidden inside a function counts like any other. Management commands are entry points
that may use any app; migrations are Django's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

#: Bottom first: each app may import itself and those before it.
BOTTOM_LAYERS = ("federation", "core", "taxonomy", "content")


def imported_apps(path: Path) -> list[tuple[int, str]]:
    """``(line, app)`` for every import of a ``cms.<app>`` module in ``path``, wherever it is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "cms" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def upward_imports(app: str) -> list[str]:
    allowed = set(BOTTOM_LAYERS[: BOTTOM_LAYERS.index(app) + 1])
    wrong = []
    for path in sorted((ROOT / "cms" / app).rglob("*.py")):
        if {"migrations", "management"} & set(path.relative_to(ROOT).parts):
            continue
        for line, imported in imported_apps(path):
            if imported not in allowed:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports cms.{imported}")
    return wrong


@pytest.mark.parametrize("app", BOTTOM_LAYERS)
def test_an_app_at_the_bottom_imports_nothing_above_it(app):
    assert upward_imports(app) == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from cms.social.panels import X\n    import cms.stats.item\n")
    assert imported_apps(module) == [(2, "social"), (3, "stats")]


#: Packages and apps where no import hides inside a function (Django's ``AppConfig.ready`` and
#: the management commands, entry points, excepted), with the imports a function may make there:
#: optional extras (the S3 deploy's boto3, the Redis rate-limit counters), and the content-file
#: reader in syndication's command line (syndication, a library, needs no site to post).
NO_FUNCTION_IMPORTS = {
    "relais": {"boto3", "botocore"},
    "syndication": {"relais"},
    "cms": {"redis"},
}


def imports_in_functions(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every import written inside a function of ``path``."""
    found = []
    for func in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                found += [(node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


@pytest.mark.parametrize("package", NO_FUNCTION_IMPORTS)
def test_no_import_hides_inside_a_function(package):
    optional = NO_FUNCTION_IMPORTS[package]
    hidden = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if not {"migrations", "management"} & set(path.relative_to(ROOT).parts)
        and path.name != "apps.py"
        for line, module in imports_in_functions(path)
        if module.split(".")[0] not in optional
    ]
    assert hidden == []


def test_the_check_sees_an_import_in_a_method(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "import os\nclass A:\n    def f(self):\n        from .models import B\n        import io\n"
    )
    assert imports_in_functions(module) == [(4, ".models"), (5, "io")]
