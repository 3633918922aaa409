"""A full build on two processes (a forked copy writes every other article page) gives byte for
byte the site one process gives."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

from relais import incremental
from relais.buildconfig import SitePaths
from relais.incremental import SiteBuilder
from relais.pelican import articles as article_extras
from tests.site.test_incremental import Corpus, diff, tree
from tests.support import GOLDEN_CONTENT, GOLDEN_NOW, GOLDEN_SITE_URL, env


def test_two_processes_build_the_same_site_as_one(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(GOLDEN_CONTENT, content)
    corpus = Corpus(content, random.Random(11))
    for _ in range(24):
        corpus.add()
    # who writes each article's extras: both processes must have written some
    writers = tmp_path / "writers"
    real = incremental.write_article_extras

    def spy(article, settings, output: Path):
        with open(writers, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(article, settings, output)

    # the process that loads the site writes its share through the plugin, the forked one
    # through the builder
    monkeypatch.setattr(article_extras, "write_article_extras", spy)
    monkeypatch.setattr(incremental, "write_article_extras", spy)
    trees = {}
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        for processes in (1, 2):
            writers.unlink(missing_ok=True)
            paths = SitePaths.at(content, tmp_path / f"p{processes}" / "output")
            builder = SiteBuilder(paths, snapshots="off", build_processes=processes)
            result = builder.full_build()
            trees[processes] = tree(paths.output.resolve())
            pids = writers.read_text().split()
            assert len(pids) == result.articles
            assert len(set(pids)) == processes  # each process writes its share
    assert diff(trees[2], trees[1]) == []
