"""The live trees' store: what a build killed while writing leaves in ``site/builds/`` is
removed, and nothing else."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from relais.output_store import Delta, OutputStore

LIVE, STANDBY, PENDING = "20261125T101010-000000001", "20261125T101010-000000001-b", ".delta-5"


def make_store(root: Path) -> OutputStore:
    builds = root / "builds"
    for name in (LIVE, STANDBY, PENDING):
        (builds / name).mkdir(parents=True)
        (builds / name / "index.html").write_text(name)
    (builds / "state.json").write_text(
        json.dumps({"live": LIVE, "standby": STANDBY, "pending": PENDING, "generation": "g"})
    )
    (root / "output").symlink_to(os.path.relpath(builds / LIVE, root))
    return OutputStore(root / "output", builds)


def left_behind(store: OutputStore, name: str, age: float) -> Path:
    tree = store.builds / name
    (tree / "actualites").mkdir(parents=True)
    (tree / "actualites" / "index.html").write_text("à moitié")
    then = time.time() - age
    os.utime(tree, (then, then))
    return tree


def test_trees_no_state_names_are_removed_once_old_enough(tmp_path):
    store = make_store(tmp_path)
    full = left_behind(store, "20261125T111111-000000002", age=3600)
    delta = left_behind(store, ".delta-7", age=3600)
    young = left_behind(store, ".delta-9", age=5)
    legacy = left_behind(store, "legacy-1764000000", age=3600)  # a site moved aside: kept
    assert store.remove_orphans(min_age=60) == [".delta-7", "20261125T111111-000000002"]
    assert not full.exists() and not delta.exists()
    assert young.exists() and legacy.exists()
    assert all((store.builds / name).is_dir() for name in (LIVE, STANDBY, PENDING))
    assert (tmp_path / "output" / "index.html").read_text() == LIVE


def test_nothing_is_removed_while_a_build_holds_the_lock_or_without_a_state(tmp_path):
    store = make_store(tmp_path)
    orphan = left_behind(store, "20261125T111111-000000002", age=3600)
    with store.lock():  # a build (here, or in another process) is writing
        assert store.remove_orphans(min_age=0) == []
    assert orphan.exists()
    (store.builds / "state.json").unlink()  # which tree is live is unknown: touch nothing
    assert store.remove_orphans(min_age=0) == []
    assert orphan.exists()


def test_the_search_work_folder_of_a_killed_full_build_is_removed(tmp_path):
    store = make_store(tmp_path)
    work = left_behind(store, ".search-20261125T111111-000000002", age=3600)
    other = left_behind(store, ".search-notes", age=3600)  # not a name builds write: kept
    assert store.remove_orphans(min_age=60) == [".search-20261125T111111-000000002"]
    assert not work.exists() and other.exists()


def test_the_snapshot_file_a_killed_writer_left_half_written_is_removed(tmp_path):
    store = make_store(tmp_path)
    snapshot = store.builds / "model.pickle"
    snapshot.write_bytes(b"the model")
    old = store.builds / ".model.pickle.4242.tmp"
    young = store.builds / ".model.pickle.4343.tmp"  # a writer still at work
    for path, age in ((old, 3600), (young, 5)):
        path.write_bytes(b"half a model")
        os.utime(path, (time.time() - age, time.time() - age))
    assert store.remove_orphans(min_age=60) == [".model.pickle.4242.tmp"]
    assert not old.exists() and young.exists() and snapshot.exists()


def tree_files(tree: Path) -> dict[str, str]:
    return {str(p.relative_to(tree)): p.read_text() for p in sorted(tree.rglob("*")) if p.is_file()}


def delta_of(store: OutputStore, writes: dict[str, str], deletes: set[str] = frozenset()) -> Delta:
    delta = store.new_delta()
    for path, text in writes.items():
        staged = delta.staged(path)
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_text(text)
    delta.writes, delta.deletes = set(writes), set(deletes)
    return delta


def test_a_delta_is_live_at_the_switch_and_the_other_tree_catches_up_after(tmp_path):
    store = make_store(tmp_path)
    Delta(store.builds / PENDING).save()  # the state's pending delta: nothing to apply
    store.catch_up()
    assert store.state()["pending"] is None and not (store.builds / PENDING).exists()
    store.publish_delta(delta_of(store, {"a/index.html": "A1"}), "g1")
    state = store.state()
    live, standby = store.builds / state["live"], store.builds / state["standby"]
    assert (tmp_path / "output").resolve() == live.resolve()
    assert tree_files(live) == {"a/index.html": "A1", "index.html": STANDBY}
    assert "a/index.html" not in tree_files(standby)  # lags behind until the catch-up
    store.catch_up()
    assert store.state()["pending"] is None
    assert not (store.builds / state["pending"]).exists()
    assert tree_files(standby) == {"a/index.html": "A1", "index.html": LIVE}


def test_a_catch_up_a_killed_worker_missed_is_made_before_the_next_delta(tmp_path):
    store = make_store(tmp_path)
    Delta(store.builds / PENDING).save()
    store.publish_delta(delta_of(store, {"a/index.html": "A1", "b.html": "B"}), "g1")
    # killed before its catch-up: the next publication (another worker) finds it pending
    store.publish_delta(delta_of(store, {"a/index.html": "A2"}, deletes={"b.html"}), "g2")
    live = store.builds / store.state()["live"]
    assert tree_files(live) == {"a/index.html": "A2", "index.html": LIVE}
    store.catch_up()
    standby = store.builds / store.state()["standby"]
    assert tree_files(standby) == {"a/index.html": "A2", "index.html": STANDBY}
    assert [p.name for p in store.builds.iterdir() if p.name.startswith(".delta")] == []
