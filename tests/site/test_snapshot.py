"""A worker that starts loads the warm builder's model from the snapshot the last publication
saved, and publishes byte for byte what a full build gives; a snapshot that is damaged, cut
short, of an earlier publication or made with other settings is refused, and the model is read
from the content again, with the same result."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from relais import incremental, snapshot
from relais.buildconfig import SitePaths
from relais.incremental import Fingerprints, SiteBuilder
from tests.site.test_incremental import Corpus, diff, same_history, tree
from tests.support import GOLDEN_CONTENT, GOLDEN_NOW, GOLDEN_SITE_URL, env, write_item

GOLDEN_ENV = {"RELAIS_SITE_URL": GOLDEN_SITE_URL, "RELAIS_BUILD_NOW": GOLDEN_NOW}


def site(tmp_path: Path, items: int = 16, seed: int = 5) -> tuple[SitePaths, Corpus]:
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    shutil.copytree(GOLDEN_CONTENT, paths.content)
    corpus = Corpus(paths.content, random.Random(seed))
    for _ in range(items):
        corpus.add()
    return paths, corpus


def same_as_full_build(paths: SitePaths, tmp_path: Path, name: str) -> list[str]:
    full_paths = SitePaths.at(paths.content, tmp_path / name / "output")
    same_history(paths, full_paths)
    SiteBuilder(full_paths, snapshots="off").full_build()
    problems = diff(tree(paths.output.resolve()), tree(full_paths.output.resolve()))
    shutil.rmtree(tmp_path / name)
    return problems


def test_a_restarted_worker_loads_the_snapshot_and_publishes_what_a_full_build_gives(tmp_path):
    paths, corpus = site(tmp_path)
    with env(**GOLDEN_ENV):
        first = SiteBuilder(paths)  # the default: written by a forked copy of the process
        first.full_build()
        first.update(corpus.add())
        first.wait_for_snapshot()
        header = snapshot.read_header(first.snapshot_path)
        assert header["generation"] == first.store.generation()
        live = paths.output.resolve()

        second = SiteBuilder(paths)
        started = second.warm_up()
        assert (started.kind, started.model) == ("adopted", "snapshot")
        assert paths.output.resolve() == live  # nothing published
        assert set(second.by_path) == set(first.by_path)
        # the bodies stayed on disk, and read from there they are those of the live model
        for path, article in second.by_path.items():
            assert isinstance(article, snapshot.LoadedArticle)
            assert "_relais_content" not in vars(article)
            assert "_relais_body" not in vars(article.relais)
            assert article._content == first.by_path[path]._content
            assert article.relais.body == first.by_path[path].relais.body
            assert article.content == first.by_path[path].content
        # a section or a tag is shared by the articles naming it (Pelican makes one object
        # per article; equal ones are saved once); the edits below show none leaks
        articles = list(second.by_path.values())
        sections = {id(a.category) for a in articles}
        assert len(sections) <= 2 * len({a.category.slug for a in articles}) < len(articles)
        tags = [t for a in articles for t in getattr(a, "tags", [])]
        assert len({id(t) for t in tags}) <= 2 * len({t.slug for t in tags}) < len(tags)
        # edits, additions, unpublications, renames and pictures on the loaded model
        kinds = set()
        for step in range(10):
            kind, touched = corpus.step()
            kinds.add(kind)
            assert second.update(touched if step % 2 else None).kind == "incremental"
        assert {"add", "edit"} <= kinds
        assert same_as_full_build(paths, tmp_path, "full") == []
        # and the next worker loads the snapshot of that last publication
        second.wait_for_snapshot()
        third = SiteBuilder(paths, full_build_process=True)
        assert third.warm_up().model == "snapshot"
        assert third.update(corpus.add()).kind == "incremental"
        assert same_as_full_build(paths, tmp_path, "full-again") == []
        # a model replaced (here by a full build) lets the snapshot file it read go
        token = third._bodies
        assert token in snapshot._OPEN
        third.full_build()  # in a process of its own: the model then comes from its snapshot
        assert third._bodies not in (None, token)
        assert token not in snapshot._OPEN
        third.wait_for_snapshot()


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))


def _cut_short(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _not_a_snapshot(path: Path) -> None:
    path.write_bytes(b"\x80\x05garbage")


def _header_says_other_format(path: Path) -> None:
    data = path.read_bytes()
    start = len(snapshot.MAGIC)
    end = data.index(b"\n", start)
    header = json.loads(data[start:end])
    header["format"] = "0"
    path.write_bytes(data[:start] + json.dumps(header).encode() + data[end:])


def test_a_loaded_article_answers_as_the_article_pelican_read(tmp_path):
    """A loaded article leaves out what most articles share and what Pelican derives from its
    other attributes (its class answers for them), so that few enough names are left in the
    articles' dictionaries for Python to share one table of keys between them: each answers
    every attribute as the article Pelican read, those whose values differ from the shared
    ones included (an English item, an event, an item without a contributor)."""
    paths, _corpus = site(tmp_path)
    write_item(
        paths.content,
        "actualites",
        "in-english",
        "title: In English\ndate: 2026-03-02 10:00\nlang: en",
    )
    with env(**GOLDEN_ENV):
        read = SiteBuilder(paths, snapshots="sync", full_build_process=False)
        read.full_build()
        loaded = SiteBuilder(paths)
        assert loaded.warm_up().model == "snapshot"
    originals = list(read.by_path.values())
    assert {a.lang for a in originals} >= {"fr", "en"}
    assert any(a.relais.event for a in originals) and any(not a.relais.event for a in originals)
    assert any(not hasattr(a, "author") for a in originals)
    names = set()
    for path, original in read.by_path.items():
        article = loaded.by_path[path]
        names |= vars(article).keys()
        for name, value in vars(original).items():
            if name == "metadata":
                value = {k: v for k, v in value.items() if k != "relais"}
                assert {k: v for k, v in article.metadata.items() if k != "relais"} == value
            elif name == "relais":  # a LoadedItem: the same fields
                for field in dataclasses.fields(value):
                    assert getattr(article.relais, field.name) == getattr(value, field.name)
            elif name not in ("settings", "_context", "_content", "_relais_cards"):
                assert getattr(article, name) == value, (path, name)
        for name in (*snapshot.SHARED_DEFAULTS, *snapshot.DERIVED):
            assert hasattr(article, name) == hasattr(original, name), (path, name)
    assert names.isdisjoint(snapshot.DERIVED)  # every one computed here
    assert len(names) <= 28, " ".join(sorted(names))


@pytest.mark.parametrize(
    "damage", [_flip_a_byte, _cut_short, _not_a_snapshot, _header_says_other_format]
)
def test_a_damaged_snapshot_is_refused_and_the_content_read_again(tmp_path, damage):
    paths, corpus = site(tmp_path, items=8)
    with env(**GOLDEN_ENV):
        SiteBuilder(paths, snapshots="sync").full_build()
        damage(paths.builds / snapshot.FILENAME)
        builder = SiteBuilder(paths, snapshots="sync")
        started = builder.warm_up()
        assert (started.kind, started.model) == ("adopted", "content")
        assert builder.update(corpus.add()).kind == "incremental"
        assert same_as_full_build(paths, tmp_path, "full") == []
        # the slow start saved a good snapshot again
        assert SiteBuilder(paths).warm_up().model == "snapshot"


def test_a_snapshot_of_an_earlier_publication_is_refused(tmp_path):
    paths, corpus = site(tmp_path, items=8)
    with env(**GOLDEN_ENV):
        first = SiteBuilder(paths, snapshots="sync")
        first.full_build()
        earlier = tmp_path / "earlier.pickle"
        shutil.copy(first.snapshot_path, earlier)
        first.update(corpus.add())
        shutil.copy(earlier, first.snapshot_path)  # as if the last writer never finished
        with pytest.raises(snapshot.SnapshotRefused, match="generation"):
            snapshot.load(
                first.snapshot_path,
                first._snapshot_header(first.store.generation(), first.store.source()),
            )
        second = SiteBuilder(paths, snapshots="sync")
        assert second.warm_up().model == "content"
        assert len(second.by_path) == len(first.by_path)
        assert second.update(corpus.add()).kind == "incremental"
        assert same_as_full_build(paths, tmp_path, "full") == []


def test_a_snapshot_made_with_other_settings_from_the_environment_is_refused(tmp_path):
    paths, _corpus = site(tmp_path, items=4)
    with env(**GOLDEN_ENV):
        SiteBuilder(paths, snapshots="sync").full_build()
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW="2026-12-01T12:00:00+01:00"):
        builder = SiteBuilder(paths, snapshots="off")
        with pytest.raises(snapshot.SnapshotRefused, match="BUILD_NOW"):
            builder._load_snapshot(builder.store.state(), Fingerprints(builder._scan(None)))


def test_the_forked_writer_runs_nicer_than_the_worker(tmp_path, monkeypatch):
    """Pickling a large model takes seconds of a processor: the writer forked after a
    publication yields to the next one (and to Pagefind, the web processes)."""
    paths, corpus = site(tmp_path, items=2)
    seen = tmp_path / "niceness"
    write = snapshot.write

    def recording_write(*args, **kwargs):
        with seen.open("a") as out:
            out.write(f"{os.getpid()} {os.getpriority(os.PRIO_PROCESS, 0)}\n")
        return write(*args, **kwargs)

    monkeypatch.setattr(snapshot, "write", recording_write)
    with env(**GOLDEN_ENV):
        builder = SiteBuilder(paths)
        builder.full_build()
        builder.update(corpus.add())
        builder.wait_for_snapshot()
        assert SiteBuilder(paths).warm_up().model == "snapshot"  # it wrote the snapshot
    pid, niceness = seen.read_text().splitlines()[-1].split()
    assert int(pid) != os.getpid()
    expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + incremental.SNAPSHOT_WRITER_NICENESS)
    assert int(niceness) == expected


def test_a_loaded_model_is_frozen_before_the_collector_runs_again(tmp_path, monkeypatch):
    """The objects a snapshot brings back are frozen before any collection: enabled in
    between, the collector walked them all (young, a million at 50,000 items) at the next
    allocations, a quarter of a restart at 10,000 items."""
    paths, corpus = site(tmp_path, items=4)
    collections: list[int] = []
    loading = []
    load, freeze = snapshot.load, incremental._freeze_models

    def watched_load(*args, **kwargs):  # from the first object unpickled…
        loading.append(True)
        return load(*args, **kwargs)

    def watched_freeze(*args, **kwargs):  # …until the model is frozen
        loading.clear()
        return freeze(*args, **kwargs)

    def count(phase: str, info: dict) -> None:
        if phase == "start" and loading:
            collections.append(info["generation"])

    monkeypatch.setattr(snapshot, "load", watched_load)
    monkeypatch.setattr(incremental, "_freeze_models", watched_freeze)
    with env(**GOLDEN_ENV):
        first = SiteBuilder(paths)
        first.full_build()
        first.update(corpus.add())
        first.wait_for_snapshot()
        gc.callbacks.append(count)
        try:
            started = SiteBuilder(paths).warm_up()
        finally:
            gc.callbacks.remove(count)
    assert started.model == "snapshot"
    assert collections == []  # none while the model came back
    assert gc.isenabled()


def test_without_snapshots_nothing_is_written(tmp_path):
    paths, _corpus = site(tmp_path, items=2)
    with env(**GOLDEN_ENV):
        builder = SiteBuilder(paths, snapshots="off")
        builder.full_build()
        assert not builder.snapshot_path.exists()
        assert SiteBuilder(paths, snapshots="off").warm_up().model == "content"
    with pytest.raises(ValueError, match="snapshots must be one of"):
        SiteBuilder(paths, snapshots="sometimes")


def test_a_snapshot_loaded_twice_keeps_its_bodies_until_both_models_are_gone(tmp_path):
    # found by the multi-worker test: a builder adopting its site again from the same snapshot
    # closed the bodies' file the new model reads (KeyError on every build after)
    path = tmp_path / snapshot.FILENAME
    snapshot.write(path, {"generation": "g1"}, {"text": "un corps d'article"})
    first, token = snapshot.load(path, {"generation": "g1"})
    second, again = snapshot.load(path, {"generation": "g1"})
    assert again == token and first == second == {"text": "un corps d'article"}
    snapshot.close(token)  # the first model replaced: the second still reads its bodies
    assert token in snapshot._BODIES
    snapshot.close(token)
    assert token not in snapshot._BODIES and token not in snapshot._OPEN


def test_the_snapshot_writer_of_a_dropped_builder_leaves_no_zombie(tmp_path):
    """A federation's worker drops builders after their publications: the last snapshot
    writer of a dropped builder is waited for by the next publication of any builder, instead of
    staying a zombie process for the life of the worker."""
    first, corpus = site(tmp_path / "first", items=2)
    other, other_corpus = site(tmp_path / "other", items=2)
    with env(**GOLDEN_ENV):
        dropped = SiteBuilder(first)
        dropped.full_build()
        dropped.update(corpus.add())
        (writer,) = dropped._snapshot_writers
        stat = Path(f"/proc/{writer}/stat")
        deadline = time.monotonic() + 60
        while stat.read_text().rpartition(")")[2].split()[0] != "Z":  # it ended, not waited for
            assert time.monotonic() < deadline
            time.sleep(0.05)
        del dropped
        kept = SiteBuilder(other)
        kept.full_build()
        kept.update(other_corpus.add())
        kept.wait_for_snapshot()
    assert not stat.exists()
