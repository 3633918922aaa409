"""Incremental publishing gives byte for byte the site a full build gives.

Random sequences of edits, additions, unpublications, renames (slug changes), picture changes
and cross-links run against a warm :class:`SiteBuilder`; after every step its live tree is
compared with a full build of the same content and address book in another folder.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import pytest

from relais import incremental, templatecache
from relais.addresses import FILENAME as ADDRESS_BOOK
from relais.buildconfig import BuildError, SitePaths
from relais.incremental import SiteBuilder
from relais.output_store import OutputStore
from relais.sections import SECTIONS
from tests.support import (
    GOLDEN_CONTENT,
    GOLDEN_NOW,
    GOLDEN_SITE_URL,
    SEARCH_SHARD,
    env,
    search_index_view,
    write_item,
    write_picture,
)

TAGS = ["hydrogène", "ferroviaire", "mentorat", "numérique", "gala", "R&D", "emploi"]
YEARS = ["2012", "2015", "2019", "2024"]
GROUPS = ["Groupe Rhône-Alpes", "Groupe Île-de-France", "Club Entrepreneurs"]
PEOPLE = ["Claire Moreau", "Hervé Lacombe", "Nadia Benali"]


def tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes, and the search index's shards as what they hold (Pagefind writes
    the values of its filters in an order that changes from run to run)."""
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not SEARCH_SHARD.match(p.relative_to(root).as_posix())
    }
    files["(search index)"] = json.dumps(search_index_view(root), sort_keys=True).encode()
    return files


def diff(live: dict[str, bytes], full: dict[str, bytes]) -> list[str]:
    problems = [f"only in the incremental site: {p}" for p in sorted(live.keys() - full.keys())]
    problems += [f"missing from the incremental site: {p}" for p in sorted(full.keys() - live)]
    problems += [f"differs: {p}" for p in sorted(live.keys() & full.keys()) if live[p] != full[p]]
    return problems


def same_history(live: SitePaths, full: SitePaths) -> None:
    """Give a full build the addresses the live site published (its address book): the site is
    made of its content and of the addresses it published before (old addresses of moved and
    withdrawn items keep a page)."""
    full.builds.mkdir(parents=True, exist_ok=True)
    shutil.copy(live.builds / ADDRESS_BOOK, full.builds / ADDRESS_BOOK)


class Corpus:
    """A content folder changed at random, remembering what each change touched."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.items: dict[str, str] = {}  # slug -> section
        self.counter = 0

    def _frontmatter(self, slug: str, section: str) -> tuple[str, list[str]]:
        rng = self.rng
        day = dt.datetime(2024, 1, 1, 9) + dt.timedelta(
            days=rng.randrange(0, 1000), minutes=rng.randrange(0, 600)
        )
        lines = [
            f"title: 'Article {slug} : « {rng.choice(TAGS)} » #{rng.randrange(100)}'",
            f"date: {day:%Y-%m-%d %H:%M}",
            f"summary: 'Résumé {rng.randrange(10**6)} — {rng.choice(TAGS)}'",
            f"tags: [{', '.join(repr(t) for t in rng.sample(TAGS, rng.randrange(0, 3)))}]",
            f"class_years: [{', '.join(repr(y) for y in rng.sample(YEARS, rng.randrange(0, 2)))}]",
            f"groups: [{', '.join(repr(g) for g in rng.sample(GROUPS, rng.randrange(0, 2)))}]",
            "contributors: ["
            f"{', '.join(repr(p) for p in rng.sample(PEOPLE, rng.randrange(0, 2)))}]",
        ]
        touched = [f"{section}/{slug}.md"]
        if rng.random() < 0.4:
            colour = tuple(rng.randrange(256) for _ in range(3))
            write_picture(
                self.root / section / slug / "photo.jpg", (320 + rng.randrange(4) * 80, 200), colour
            )
            lines += [f"image: {slug}/photo.jpg", "image_alt: Une photo"]
            touched.append(f"{section}/{slug}")
        if section == "evenements":
            start = dt.datetime(2026, 10, 1, 19) + dt.timedelta(days=rng.randrange(0, 120))
            lines += ["event:", f"  start: {start:%Y-%m-%d %H:%M}", "  location: Lyon"]
        return "\n".join(lines), touched

    def _body(self) -> str:
        body = f"Texte **{self.rng.randrange(1000)}**."
        others = list(self.items.items())
        if others and self.rng.random() < 0.3:
            slug, section = self.rng.choice(others)
            body += f"\n\nVoir aussi [cet article](../{section}/{slug}.md)."
        return body

    def write(self, slug: str, section: str) -> list[str]:
        front, touched = self._frontmatter(slug, section)
        path = self.root / section / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}\n---\n{self._body()}\n", encoding="utf-8")
        self.items[slug] = section
        return touched

    def add(self) -> list[str]:
        self.counter += 1
        return self.write(f"item-{self.counter}", self.rng.choice(list(SECTIONS)))

    def remove(self, slug: str) -> list[str]:
        section = self.items.pop(slug)
        (self.root / section / f"{slug}.md").unlink()
        shutil.rmtree(self.root / section / slug, ignore_errors=True)
        return [f"{section}/{slug}.md", f"{section}/{slug}"]

    def step(self) -> tuple[str, list[str]]:
        rng = self.rng
        if not self.items or rng.random() < 0.3:
            return "add", self.add()
        slug = rng.choice(sorted(self.items))
        section = self.items[slug]
        roll = rng.random()
        if roll < 0.45:
            return "edit", [*self.write(slug, section), f"{section}/{slug}"]
        if roll < 0.65:
            return "unpublish", self.remove(slug)
        if roll < 0.85:
            touched = self.remove(slug)
            self.counter += 1
            return "rename", touched + self.write(f"renamed-{self.counter}", section)
        picture = self.root / section / slug / "photo.jpg"
        if picture.exists():
            write_picture(picture, (400, 300), tuple(rng.randrange(256) for _ in range(3)))
            return "picture", [f"{section}/{slug}"]
        return "edit", [*self.write(slug, section), f"{section}/{slug}"]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_changes_give_the_same_site_as_a_full_build(tmp_path, seed):
    rng = random.Random(seed)
    live_paths = SitePaths.at(tmp_path / "content", tmp_path / "live" / "output")
    shutil.copytree(GOLDEN_CONTENT, live_paths.content)
    corpus = Corpus(live_paths.content, rng)
    for _ in range(12):
        corpus.add()
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(live_paths)
        builder.full_build()
        kinds = []
        for step in range(22):
            kind, touched = corpus.step()
            kinds.append(kind)
            # half of the updates are told what changed (as the CMS does), half scan
            result = builder.update(touched if step % 2 else None)
            assert result.kind == "incremental", (step, kind, result)
            full_paths = SitePaths.at(live_paths.content, tmp_path / f"full{step}" / "output")
            same_history(live_paths, full_paths)
            SiteBuilder(full_paths, snapshots="off").full_build()  # removed just after
            problems = diff(tree(live_paths.output.resolve()), tree(full_paths.output.resolve()))
            assert not problems, (step, kind, problems[:10])
            shutil.rmtree(tmp_path / f"full{step}")
    assert {"add", "edit", "unpublish", "rename"} <= set(kinds)


def test_an_update_touches_few_files_and_keeps_the_standby_in_step(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    corpus = Corpus(paths.content, random.Random(7))
    for _ in range(60):
        corpus.add()
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        full = builder.full_build()
        slug = sorted(corpus.items)[0]
        result = builder.update(corpus.write(slug, corpus.items[slug]))
        assert result.kind == "incremental"
        assert result.written < full.written / 4, (result.written, full.written)
        # once the new site is live, the standby tree catches up with it: the next update
        # starts from two equal trees
        previous_live = tree(builder.store.trees()[0])
        added = builder.update(corpus.add())
        live, standby = (tree(t) for t in builder.store.trees())
        assert live != previous_live
        assert standby == live
        assert builder.store.state()["pending"] is None
        assert "catch_up" in added.phases
        assert added.live_seconds == added.seconds - added.phases["catch_up"]


def test_an_error_in_an_update_publishes_nothing(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    shutil.copytree(GOLDEN_CONTENT, paths.content)
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        before = tree(paths.output.resolve())
        generation = builder.store.generation()
        bad = paths.content / "actualites" / "casse.md"
        bad.write_text("---\ntitle: 'oups\ndate: 2026-01-01\n---\n", encoding="utf-8")
        with pytest.raises(BuildError, match=r"content/actualites/casse\.md"):
            builder.update(["actualites/casse.md"])
        assert builder.store.generation() == generation
        assert tree(paths.output.resolve()) == before
        # two files for one URL: refused, naming both
        clash = paths.content / "actualites" / "copie.md"
        bad.unlink()
        clash.write_text(
            "---\ntitle: Copie\ndate: 2026-01-01\nslug: prix-jeune-ingenieure\n---\n",
            encoding="utf-8",
        )
        with pytest.raises(BuildError, match="would both be published"):
            builder.update(["actualites/copie.md", "actualites/casse.md"])
        clash.unlink()
        assert builder.update(["actualites/copie.md"]).kind == "none"  # back as published
        assert tree(paths.output.resolve()) == before


def test_site_settings_change_rebuilds_everything(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    shutil.copytree(GOLDEN_CONTENT, paths.content)
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        config = paths.content / "site.yaml"
        config.write_text(config.read_text().replace("Alumni Exemple", "Alumni Autre"))
        assert builder.update(["site.yaml"]).kind == "full"
        assert (
            "Alumni Autre" in (paths.output / "parcours/de-stagiaire-a-cto/index.html").read_text()
        )


def test_another_process_publishing_is_noticed(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    shutil.copytree(GOLDEN_CONTENT, paths.content)
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        first, second = SiteBuilder(paths), SiteBuilder(paths)
        first.full_build()
        second.full_build()  # another worker published
        # same content: first takes the new live site as it is, and has nothing to do
        assert first.update(None).kind == "none"
        assert first.generation == first.store.generation()
        # another worker published a change: first reloads its model from the content the
        # live site was built from, and publishes nothing more
        page = paths.content / "parcours" / "de-stagiaire-a-cto.md"
        page.write_text(page.read_text().replace("Léa entre", "Léa Martin entre"))
        assert second.update(["parcours/de-stagiaire-a-cto.md"]).kind == "incremental"
        assert first.update(None).kind == "none"
        assert first.by_path["parcours/de-stagiaire-a-cto.md"].relais.body.startswith(
            "Léa Martin entre"
        )
        assert (
            "Léa Martin entre"
            in (paths.output / "parcours/de-stagiaire-a-cto/index.html").read_text()
        )


def test_a_new_process_adopts_the_live_site_without_rebuilding_it(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    corpus = Corpus(paths.content, random.Random(3))
    for _ in range(20):
        corpus.add()
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        first = SiteBuilder(paths)
        first.full_build()
        first.update(corpus.add())
        live = paths.output.resolve()
        before = tree(live)
        # a restarted worker: same content, same settings -> the live site is taken as it is
        second = SiteBuilder(paths)
        assert second.warm_up().kind == "adopted"
        assert paths.output.resolve() == live
        result = second.update(corpus.add())
        assert result.kind == "incremental"
        assert paths.output.resolve() != live  # published through a delta, not rebuilt
        full_paths = SitePaths.at(paths.content, tmp_path / "full" / "output")
        same_history(paths, full_paths)
        SiteBuilder(full_paths).full_build()
        assert diff(tree(paths.output.resolve()), tree(full_paths.output.resolve())) == []
        assert before != tree(paths.output.resolve())
        # content changed while no worker ran: the next one cannot adopt, it rebuilds
        corpus.add()
        third = SiteBuilder(paths)
        assert third.warm_up().kind == "full"


def test_another_associations_folder_inside_the_content_folder_is_not_this_sites(tmp_path):
    """A federation's first association keeps ``content/``, where the other associations'
    folders sit: a scan of the site sees none of their files, and their changes neither make
    this site rebuild nor stop a restarted worker from adopting it."""
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    shutil.copytree(GOLDEN_CONTENT, paths.content)
    other = paths.content / "alumni-sud"
    write_picture(other / "actualites" / "gala" / "photo.jpg")
    (other / "actualites" / "gala.md").write_text(
        "---\ntitle: Gala du Sud\ndate: 2026-01-01\n---\nTexte.\n", encoding="utf-8"
    )
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        assert not any(p.startswith("alumni-sud/") for p in builder.fingerprints)
        (other / "actualites" / "gala.md").write_text(
            "---\ntitle: Gala du Sud, édition 2\ndate: 2026-01-01\n---\nTexte.\n",
            encoding="utf-8",
        )
        assert builder.update(None).kind == "none"
        assert not (paths.output / "alumni-sud").exists()
        assert SiteBuilder(paths).warm_up().kind == "adopted"


def test_a_cold_builder_adopts_the_live_site_without_the_new_items_then_adds_them(tmp_path):
    """A worker that does not keep the site warm (a federation's worker serves many sites)
    gets an export of new items: it loads the live site as it was built, without the new
    files, and publishes them as an update, with the result of a full build; a changed or
    removed file has no live version left to load, so that still rebuilds everything."""
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    corpus = Corpus(paths.content, random.Random(11))
    for _ in range(20):
        corpus.add()
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        SiteBuilder(paths).full_build()
        added: list[str] = []
        while not any("/" in p and not p.endswith(".md") for p in added):  # one with a picture
            added += corpus.add()
        live = paths.output.resolve()
        cold = SiteBuilder(paths)
        result = cold.update(added)
        assert result.kind == "incremental", result
        assert paths.output.resolve() != live  # published through a delta, not rebuilt
        full_paths = SitePaths.at(paths.content, tmp_path / "full" / "output")
        same_history(paths, full_paths)
        SiteBuilder(full_paths).full_build()
        assert diff(tree(paths.output.resolve()), tree(full_paths.output.resolve())) == []
        # the warm builder goes on from there
        assert cold.update(corpus.add()).kind == "incremental"
        # an edited item, named with a new one: its live version is gone, nothing to adopt
        slug = sorted(corpus.items)[0]
        edited = [*corpus.write(slug, corpus.items[slug]), *corpus.add()]
        assert SiteBuilder(paths).update(edited).kind == "full"
        # new files that are not items (the site's pages) change every page: a full build
        page = paths.content / "pages" / "mentions.md"
        page.parent.mkdir(exist_ok=True)
        page.write_text("---\ntitle: Mentions\n---\nTexte.\n", encoding="utf-8")
        assert SiteBuilder(paths).update(["pages/mentions.md"]).kind == "full"


def test_a_builder_dropped_by_its_worker_leaves_no_model_behind(tmp_path):
    """A worker keeps a few sites warm and drops the others: a dropped builder's items are
    freed (Pelican memoizes each item's HTML in its class, which kept every model alive)."""
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        first = SiteBuilder(SitePaths.at(GOLDEN_CONTENT, tmp_path / "first" / "output"))
        first.full_build()
        item = weakref.ref(next(iter(first.by_path.values())))
        del first
        other = SiteBuilder(SitePaths.at(GOLDEN_CONTENT, tmp_path / "other" / "output"))
        other.full_build()
        gc.unfreeze()
        gc.collect()
        assert item() is None
        assert other.update(None).kind == "none"  # the one still warm keeps its model
        assert next(iter(other.by_path.values())).content


def test_a_worker_of_many_cold_sites_frees_the_models_it_dropped(tmp_path):
    """A federation's worker adopts cold sites from their snapshots one after the other and
    keeps only a few warm: the models it dropped are freed by the process's own periodic full
    collection (a model is frozen out of the collector's way when loaded; without that pass
    every dropped model stayed frozen, and the worker grew by a model per site)."""
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        paths = SitePaths.at(GOLDEN_CONTENT, tmp_path / "site" / "output")
        built = SiteBuilder(paths)
        built.full_build()
        built.wait_for_snapshot()
        dropped = []
        for _ in range(incremental.FULL_COLLECT_EVERY + 1):
            cold = SiteBuilder(paths)
            assert cold.warm_up().model == "snapshot"
            dropped.append(weakref.ref(next(iter(cold.by_path.values()))))
            del cold
        assert dropped[0]() is None
        kept = SiteBuilder(paths)
        kept.warm_up()
        assert kept.update(None).kind == "none"
        assert next(iter(kept.by_path.values())).content


def test_a_full_build_does_not_inherit_a_lock_another_thread_holds(tmp_path):
    """A worker's other threads (its heartbeat, the posts' lanes) query SQLite all the time; a
    full build forked from the worker copied SQLite's internal locks as they were, and when one
    was held at that moment, the copy's first use of SQLite (the address book) waited for ever,
    and the worker with it. The full build runs in a new process: a lock that another thread
    holds when it starts (here the shared template cache's, which a build takes) holds it up
    no more than it would hold up the build run here."""
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with templatecache._lock:
            holding.set()
            done.wait(60)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    holding.wait(10)
    built: list = []
    try:
        with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
            builder = SiteBuilder(
                SitePaths.at(GOLDEN_CONTENT, tmp_path / "site" / "output"), full_build_process=True
            )
            runner = threading.Thread(
                target=lambda: built.append(builder.full_build()), daemon=True
            )
            runner.start()
            runner.join(30)
            assert built and built[0].kind == "full"
    finally:
        done.set()
        holder.join(10)
        runner.join(60)


def test_a_script_that_builds_at_its_top_level_is_not_run_again_by_the_full_build(tmp_path):
    """The full build's new process is a plain interpreter given its job, not one of
    ``multiprocessing``'s, which imports the caller's main script again: a script without a
    ``__main__`` guard would build again in it, and wait for ever for the lock its caller
    holds."""
    script = tmp_path / "build_once.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from relais.buildconfig import SitePaths\n"
        "from relais.incremental import SiteBuilder\n"
        "paths = SitePaths.at(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "print(SiteBuilder(paths).full_build().kind)\n",
        encoding="utf-8",
    )
    with env(
        RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW, RELAIS_FULL_BUILD_PROCESS="1"
    ):
        done = subprocess.run(
            [sys.executable, str(script), str(GOLDEN_CONTENT), str(tmp_path / "site" / "output")],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).resolve().parents[2],
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["full"]


def test_the_archive_pages_next_to_a_changed_year_follow_it(tmp_path):
    """An update plans again the archive pages of the years it changed and the pages next to
    them: a year that gains a page changes the "previous" link of the next year's first page;
    a year that disappears changes the links of the pages on both sides of it; a listing that
    gains or loses its archives is planned again whole."""
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    shutil.copytree(GOLDEN_CONTENT, paths.content)
    for year in (2021, 2022, 2023):
        for i in range(12):  # one full archive page a year (12 items a page)
            write_item(
                paths.content,
                "actualites",
                f"breve-{year}-{i:02d}",
                f"title: Brève {i} de {year}\ndate: {year}-03-{i + 1:02d} 10:00"
                + ("\ntags: [robotique]" if year == 2021 else ""),
            )
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()

        def same_as_a_full_build(step: str) -> dict[str, bytes]:
            full = SitePaths.at(paths.content, tmp_path / step / "output")
            same_history(paths, full)
            SiteBuilder(full).full_build()
            live = tree(paths.output.resolve())
            assert diff(live, tree(full.output.resolve())) == [], step
            return live

        extra = "actualites/breve-2022-12.md"
        write_item(
            paths.content,
            "actualites",
            "breve-2022-12",
            "title: Une de plus\ndate: 2022-09-01 10:00",
        )
        assert builder.update([extra]).kind == "incremental"
        live = same_as_a_full_build("a-page-more")
        assert b"/actualites/archives/2022/2/" in live["actualites/archives/2023/index.html"]

        gone = [f"actualites/breve-2022-{i:02d}.md" for i in range(13)]
        for path in gone:
            (paths.content / path).unlink()
        assert builder.update(gone).kind == "incremental"
        live = same_as_a_full_build("a-year-less")
        assert b"/actualites/archives/2023/" in live["actualites/archives/2021/index.html"]

        # the tag's twelve items of 2021 fit on its front page; a thirteenth, of 2023, gives it
        # archive pages for both years, and taking it back removes them
        tagged = "actualites/robot-2023.md"
        write_item(
            paths.content,
            "actualites",
            "robot-2023",
            "title: Robot\ndate: 2023-05-01 10:00\ntags: [robotique]",
        )
        assert builder.update([tagged]).kind == "incremental"
        live = same_as_a_full_build("archives-appear")
        assert "tags/robotique/archives/2021/index.html" in live
        (paths.content / tagged).unlink()
        assert builder.update([tagged]).kind == "incremental"
        live = same_as_a_full_build("archives-go")
        assert not any("/robotique/archives/" in path for path in live)


def test_the_scan_fingerprints_the_sites_own_content_files_only(tmp_path):
    """What a scan sees (what the builder compares between publications): the files of the
    site's own folders and its top files, not hidden ones, not ``.tmp`` files being written,
    not another association's folder at the top, not through a link to a folder, not a link
    to nothing; a scope gives the files under it."""
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    content = paths.content
    write_item(content, "actualites", "gala", "title: Gala\ndate: 2026-01-02 10:00")
    write_picture(content / "actualites" / "gala" / "photo.jpg", (40, 30))
    (content / "site.yaml").write_text("title: Site\n")
    (content / "actualites" / ".gala.md.tmp").write_text("x")
    (content / "actualites" / "brouillon.md.tmp").write_text("x")
    (content / "actualites" / ".cache").mkdir()
    (content / "actualites" / ".cache" / "x.md").write_text("x")
    (content / "autre-association" / "actualites").mkdir(parents=True)
    (content / "autre-association" / "actualites" / "x.md").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("x")
    (content / "parcours").mkdir()
    (content / "parcours" / "lien").symlink_to(outside, target_is_directory=True)
    (content / "parcours" / "perdu.md").symlink_to(tmp_path / "nowhere.md")
    builder = SiteBuilder(paths)
    assert sorted(builder._scan(None)) == [
        "actualites/gala.md",
        "actualites/gala/photo.jpg",
        "site.yaml",
    ]
    assert sorted(builder._scan(["actualites/gala/", "site.yaml", "parcours/rien"])) == [
        "actualites/gala/photo.jpg",
        "site.yaml",
    ]
    fingerprint = builder._scan(["actualites/gala.md"])["actualites/gala.md"]
    assert builder._scan(["actualites/gala.md"])["actualites/gala.md"] == fingerprint
    path = content / "actualites" / "gala.md"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))  # same size, touched
    assert builder._scan(["actualites/gala.md"])["actualites/gala.md"] != fingerprint


def test_a_catch_up_that_fails_after_the_switch_leaves_the_publication_live(
    tmp_path, monkeypatch, caplog
):
    """The new site is live before the standby tree catches up: a catch-up that fails (a full
    disk) is a warning, not a failed publication, and the next publication makes it first."""
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    corpus = Corpus(paths.content, random.Random(11))
    for _ in range(12):
        corpus.add()
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths, snapshots="off")
        builder.full_build()
        catch_up = OutputStore.catch_up

        def full_disk(store: OutputStore) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(OutputStore, "catch_up", full_disk)
        result = builder.update(corpus.add())
        assert result.kind == "incremental"
        assert "could not catch up" in caplog.text
        assert builder.store.state()["pending"]  # named in the state for the next one
        monkeypatch.setattr(OutputStore, "catch_up", catch_up)
        builder.update(corpus.add())
        live, standby = (tree(t) for t in builder.store.trees())
        assert standby == live
