"""How the desk plugs into the rest: its jobs on the worker's clock (and safe to re-run after a
worker dies), its French table of what each network gives agreeing with the library's
declarations."""

from __future__ import annotations

from cms.conversations import capabilities
from cms.publishing.clock import default_jobs
from cms.publishing.recovery import RERUNNABLE
from syndication.conversations import ANSWER, HIDE, LIKE
from syndication.networks import registry


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
