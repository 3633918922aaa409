"""The Relais side of the benchmark, in one process like the CMS worker: a full build, then
publish-to-live latency of editing, adding and unpublishing items on the warm builder, and the
search index: its update in each publication (the builder's ``search`` phase) against indexing
the whole site again, measured on the same live tree, and its size.

``python -m benchmarks.relais_worker CONTENT OUTPUT --repeat 15`` prints one JSON object.
Latency runs from the moment the export starts (the content file is written, as the CMS export
task writes it) until the new site is live (``site/output`` switched)."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from relais.buildconfig import SitePaths
from relais.contentfile import SITE_TIMEZONE, ContentItem, dump, load_file
from relais.incremental import SiteBuilder
from relais.pelican.listings import ListingKey
from relais.pelican.search import all_shards, shards_of
from relais.search import SEARCH_FOLDER, Shard, build_index, index_shards


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def edit(content: Path, rng: random.Random, files: list[Path]) -> list[str]:
    path = rng.choice(files)
    item = load_file(path)
    item.title = f"{item.title} (mis à jour {rng.randrange(10**6)})"
    item.body += f"\n\nMise à jour {rng.randrange(10**6)}."
    write_atomic(path, dump(item))
    return [str(path.relative_to(content))]


def add(content: Path, rng: random.Random, counter: int, picture: bytes) -> list[str]:
    section = rng.choice(["actualites", "parcours", "vie-ecole", "association"])
    slug = f"nouveau-{counter:05d}"
    folder = content / section / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hero.jpg").write_bytes(picture)
    item = ContentItem(
        title=f"Nouvel article {counter}",
        slug=slug,
        section=section,
        date=dt.datetime.now(SITE_TIMEZONE).replace(microsecond=0),
        summary="Un article publié pendant le benchmark.",
        tags=["hydrogène", "emploi"],
        class_years=["2012"],
        image=f"{slug}/hero.jpg",
        image_alt="Une photo",
        body="Le corps de l'article.",
    )
    write_atomic(content / section / f"{slug}.md", dump(item))
    return [f"{section}/{slug}.md", f"{section}/{slug}"]


def unpublish(content: Path, rng: random.Random, files: list[Path]) -> list[str]:
    path = files.pop(rng.randrange(len(files)))
    path.unlink()
    folder = path.with_suffix("")
    shutil.rmtree(folder, ignore_errors=True)
    return [str(path.relative_to(content)), str(folder.relative_to(content))]


def search_baselines(builder: SiteBuilder, work: Path) -> dict:
    """Index the live site from scratch, as a full build does (its shards in parallel), and
    as one Pagefind bundle of every item (what each publication would cost without shards);
    the index's size on the live tree."""
    live = builder.store.trees()[0]
    by_year = builder.plan.listings[ListingKey("index")].by_year()
    shards = shards_of(all_shards(by_year), lambda path: live / path)
    lang = builder.settings["DEFAULT_LANG"]
    started = time.perf_counter()
    build_index(shards, work / "search-full", work / ".search-full", lang)
    full = time.perf_counter() - started
    every_page = Shard("all", {path: source for s in shards for path, source in s.pages.items()})
    started = time.perf_counter()
    index_shards([every_page], work / "search-one", work / ".search-one", lang)
    one = time.perf_counter() - started
    shutil.rmtree(work / "search-full", ignore_errors=True)
    shutil.rmtree(work / "search-one", ignore_errors=True)
    files = [p for p in (live / SEARCH_FOLDER).rglob("*") if p.is_file()]
    return {
        "search_full_s": full,
        "search_one_bundle_s": one,
        "search_index_mb": sum(p.stat().st_size for p in files) / 1024 / 1024,
        "search_index_files": len(files),
        "search_shards": len(shards),
        "search_largest_shard": max((len(s.pages) for s in shards), default=0),
    }


def restart(content: Path, output: Path) -> int:
    """A worker that starts: the time until its model is ready, and its peak memory."""
    started = time.perf_counter()
    restarted = SiteBuilder(
        SitePaths.at(content, output / "output"), SITEURL="https://alumni.example.org"
    ).warm_up()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "restart_s": seconds,
                "restart_cpu_s": time.process_time(),
                "restart_kind": f"{restarted.kind}, model from {restarted.model or 'a rebuild'}",
                "restart_peak_mb": peak,
            }
        )
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--restart-only",
        action="store_true",
        help="only time a worker that starts on the live site (in its own process)",
    )
    parser.add_argument(
        "--one-process-build",
        action="store_true",
        help="also time a full build on one process (the speed-up of two)",
    )
    args = parser.parse_args()
    if args.restart_only:
        return restart(args.content, args.output)
    one_process = None
    if args.one_process_build:
        # the same full build on one process, for the speed-up of two (then thrown away)
        paths = SitePaths.at(args.content, args.output / "one-process" / "output")
        started = time.perf_counter()
        SiteBuilder(
            paths, snapshots="off", build_processes=1, SITEURL="https://alumni.example.org"
        ).full_build()
        one_process = time.perf_counter() - started
        shutil.rmtree(args.output / "one-process")
        gc.collect()
    rng = random.Random(7)
    builder = SiteBuilder(
        SitePaths.at(args.content, args.output / "output"), SITEURL="https://alumni.example.org"
    )
    started = time.perf_counter()
    full = builder.full_build()
    result = {
        "full_build_s": time.perf_counter() - started,
        "full_build_files": full.written,
        "full_build_processes": builder.build_processes,
        # the full build runs in processes of its own: the largest of them (and their children)
        "full_build_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "full_build_one_process_s": one_process,
        "articles": full.articles,
        "edit": [],
        "add": [],
        "unpublish": [],
        "files": {},
        "busy": {},
    }
    files = sorted(p for p in args.content.glob("*/*.md") if p.parent.name != "pages")
    picture = next(args.content.glob("*/*/hero.jpg")).read_bytes()
    for i in range(args.repeat):
        for kind in ("edit", "add", "unpublish"):
            t0 = time.perf_counter()
            if kind == "edit":
                changed = edit(args.content, rng, files)
            elif kind == "add":
                changed = add(args.content, rng, i, picture)
            else:
                changed = unpublish(args.content, rng, files)
            update = builder.update(changed)
            busy = time.perf_counter() - t0
            # live once the switch is made: the catch-up after it is the worker's, not the
            # reader's wait
            result[kind].append(busy - update.after_live)
            result["busy"].setdefault(kind, []).append(busy)
            result["files"].setdefault(kind, []).append(update.written + update.deleted)
            result.setdefault("phases", {}).setdefault(kind, []).append(update.phases)
            assert update.kind == "incremental", update
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.update(search_baselines(builder, args.output))
    # a worker that restarts: a new process adopts the live site instead of rebuilding it (from
    # the snapshot of the model the last publication saved)
    builder.wait_for_snapshot()
    del builder
    gc.collect()
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.relais_worker",
            "--restart-only",
            str(args.content),
            str(args.output),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result.update(json.loads(again.stdout.strip().splitlines()[-1]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
