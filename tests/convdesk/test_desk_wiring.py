"""How the desk plugs into the rest: its jobs on the worker's clock (and safe to re-run after a
worker dies), its French table of what each network gives agreeing with the library's
declarations."""

from __future__ import annotations

import ast

from cms.conversations import capabilities
from cms.publishing.clock import default_jobs
from cms.publishing.recovery import RERUNNABLE
from syndication.conversations import ANSWER, HIDE, LIKE
from syndication.networks import registry
from tests.support import ROOT


def test_pull_and_mail_are_on_the_clock_and_rerunnable():
    names = {job.name for job in default_jobs()}
    assert {"conversations_pull", "conversations_digest"} <= names
    for name in ("pull_task", "answer_task", "like_task", "digest_task"):
        assert f"cms.conversations.tasks.{name}" in RERUNNABLE, name


def test_the_french_table_says_what_the_library_declares():
    rows = {row.name: row for row in capabilities.table()}
    assert set(rows) == set(registry)
    for name, cls in registry.items():
        network = cls()
        row = rows[name]
        assert (row.answer, row.like, row.hide) == (
            network.can(ANSWER),
            network.can(LIKE),
            network.can(HIDE),
        )
        assert len(row.pulled) == len(cls.pulls), name
        # one French sentence per declared gap
        assert len(row.gaps) == len(cls.conversation_gaps), name


def test_the_desk_is_on_top_and_hides_no_import():
    """Nothing of Relais imports the desk (it plugs into the statistics through a hook), and
    the desk imports nothing inside a function but in ``AppConfig.ready()``."""
    cms = ROOT / "cms"
    desk = cms / "conversations"
    below, hidden = [], []
    for path in cms.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if desk not in path.parents:
            names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            if any(str(n or "").startswith("cms.conversations") for n in names):
                below.append(str(path.relative_to(ROOT)))
            continue
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if path.name == "apps.py" and func.name == "ready":
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert below == [] and hidden == []
