"""The watching benchmark: ``python -m benchmarks.watch`` (also run by ``make bench``).

A child process serves a generated corpus on loopback: ``--sources`` sources (8 in 10 feeds,
half of them gzipped, 1 in 10 pages, 1 in 10 listing pages) spread over sites of 5 sources each
(one threaded server per site, on 127.0.0.1), every answer with an ETag and ``--latency``
seconds late, ``--hanging`` of them never answering. Two check cycles run against it with the
product's limits and politeness (:class:`relais.watching.fetch.Limits`): the first reads
everything, the second is conditional (most answers are ``304``; 3 sources in 40 changed in
between: new feed entries, a page's paragraph, a listing's link). For each cycle: wall time,
requests, bytes read, entries, changes, errors; and the client's peak memory (resident set,
``getrusage``: the servers run in their own process). The last line is machine-readable::

    watch_cycle_s=<x> watch_requests=<n> watch_bytes=<b> watch_peak_mb=<m>
    watch_cycle2_s=<x> watch_requests2=<n> watch_bytes2=<b>

(on one line): the first four of the first cycle (and the peak of both), then the second's.
The goal is one cycle ≤ 60 s with 100 ms per answer.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from multiprocessing.connection import Connection

from benchmarks.run import machine
from relais.outbound import Policy
from relais.watching.cycle import CheckResult, Source, WatchConfig, check_sources
from relais.watching.fetch import Limits
from relais.watching.testing import LoopbackSite

PER_SITE = 5
START = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)
WORDS = (
    "école ingénieurs diplômés promotion industrie recherche chimie énergie numérique "
    "région partenariat classement stage alternance entreprise innovation laboratoire "
    "concours rentrée forum carrière international réseau anciens gala conférence"
).split()


# -- the corpus (the same in both processes: generated from the source's number) --------------


def kind_of(n: int) -> str:
    return {7: "page", 9: "listing"}.get(n % 10, "feed")


def is_hanging(n: int, hanging: int, total: int) -> bool:
    return hanging > 0 and n % max(1, total // hanging) == max(1, total // hanging) // 2


def changes(n: int) -> bool:
    return n % 40 in (3, 17, 19)  # a feed, a page, a listing


def phrase(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(words))


def feed(n: int, version: int) -> bytes:
    rnd = random.Random(n)
    items = []
    for k in range(20 + version):
        when = START - timedelta(hours=6 * (20 + version - k))
        items.append(
            f"<item><title>{phrase(rnd, 8).capitalize()} n° {n}-{k}</title>"
            f"<link>https://site{n // PER_SITE}.example/articles/{n}-{k}?utm_source=rss</link>"
            f"<guid>s{n}-{k}</guid><pubDate>{format_datetime(when)}</pubDate>"
            f"<description>{phrase(rnd, 50)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Source {n}</title><link>https://site{n // PER_SITE}.example/</link>"
        + "".join(reversed(items))
        + "</channel></rss>"
    ).encode()


def page(n: int, version: int) -> bytes:
    rnd = random.Random(n)
    paragraphs = [f"<p>{phrase(rnd, 40).capitalize()}.</p>" for _ in range(12)]
    if version:
        paragraphs.insert(3, f"<p>Nouveau : {phrase(rnd, 20)}.</p>")
    nav = "".join(f'<a href="/rubrique/{k}">Rubrique {k}</a> ' for k in range(15))
    return (
        f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Page {n}</title>"
        f"</head><body><nav>{nav}</nav><article><h1>Page {n}</h1>{''.join(paragraphs)}"
        "</article><footer>Mentions légales</footer></body></html>"
    ).encode()


def listing(n: int, version: int) -> bytes:
    rnd = random.Random(n)
    links = [
        f'<li><a href="/actualites/{n}-{k}">{phrase(rnd, 6).capitalize()}</a></li>'
        for k in range(30 + version)
    ]
    return (
        f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Actualités {n}"
        f"</title></head><body><main><ul>{''.join(reversed(links))}</ul></main></body></html>"
    ).encode()


def route(site: LoopbackSite, n: int, version: int, hanging: int, total: int) -> None:
    path = f"/source/{n}"
    if is_hanging(n, hanging, total):
        site.route(path, behaviour="hang")
        return
    kind = kind_of(n)
    body = {"feed": feed, "page": page, "listing": listing}[kind](n, version)
    site.route(
        path,
        body=body,
        content_type="application/rss+xml" if kind == "feed" else "text/html; charset=utf-8",
        etag=f'"{n}-{version}"',
        encoding="gzip" if kind == "feed" and n % 2 else None,
    )


def serve(conn: Connection, total: int, hanging: int, latency: float) -> None:
    """The child process: one site per ``PER_SITE`` sources; answers ``change`` and ``stop``."""
    sites = [LoopbackSite(latency=latency).start() for _ in range(-(-total // PER_SITE))]
    for n in range(total):
        route(sites[n // PER_SITE], n, 0, hanging, total)
    conn.send([site.port for site in sites])
    while True:
        order = conn.recv()
        if order == "change":
            for n in range(total):
                if changes(n):
                    route(sites[n // PER_SITE], n, 1, hanging, total)
            conn.send("changed")
        else:
            for site in sites:
                site.stop()
            conn.send("stopped")
            return


# -- the cycles --------------------------------------------------------------------------------


def summary(results: list[CheckResult], seconds: float) -> dict:
    return {
        "seconds": seconds,
        "requests": sum(r.requests for r in results),
        "bytes": sum(r.bytes_read for r in results),
        "entries": sum(len(r.entries) for r in results),
        "changes": sum(1 for r in results if r.change),
        "not_modified": sum(1 for r in results if r.not_modified),
        "errors": Counter(r.code for r in results if not r.ok),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per answer")
    parser.add_argument("--hanging", type=int, default=5, help="sources that never answer")
    parser.add_argument("--workers", type=int, default=WatchConfig().workers)
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(
        target=serve, args=(theirs, args.sources, args.hanging, args.latency), daemon=True
    )
    server.start()
    try:
        ports = ours.recv()
        sources = [
            Source(str(n), f"http://127.0.0.1:{ports[n // PER_SITE]}/source/{n}", kind_of(n))
            for n in range(args.sources)
        ]
        limits = Limits()
        config = WatchConfig(policy=Policy.parse("loopback"), limits=limits, workers=args.workers)
        print(
            f"Checking {args.sources} sources on {len(ports)} loopback sites, "
            f"{args.latency * 1000:.0f} ms per answer, {args.hanging} hanging…",
            flush=True,
        )
        started = time.perf_counter()
        first = check_sources(sources, {}, config=config, now=START)
        one = summary(first, time.perf_counter() - started)
        ours.send("change")
        ours.recv()
        state = {r.source_id: r.state for r in first}
        started = time.perf_counter()
        second = check_sources(sources, state, config=config, now=START + timedelta(hours=2))
        two = summary(second, time.perf_counter() - started)
    finally:
        ours.send("stop")
        ours.recv()
        server.join(10)

    print(f"\nRelais watching benchmark, {args.sources} sources — {machine()}")
    print(
        f"  limits: read timeout {limits.read_timeout:g} s, deadline {limits.deadline:g} s, "
        f"{limits.per_host} requests at once and {limits.host_delay:g} s between starts per "
        f"host, {args.workers} threads"
    )
    for name, cycle in (("first cycle ", one), ("second cycle", two)):
        errors = ", ".join(f"{code} {count}" for code, count in sorted(cycle["errors"].items()))
        print(
            f"  {name}  {cycle['seconds']:.1f} s, {cycle['requests']} requests, "
            f"{cycle['bytes'] / 1024 / 1024:.1f} MB read, {cycle['not_modified']} not modified, "
            f"{cycle['entries']} new entries, {cycle['changes']} pages changed, "
            f"errors: {errors or 'none'}; peak {cycle['peak_mb']:.0f} MB"
        )
    print(
        f"watch_cycle_s={one['seconds']:.2f} watch_requests={one['requests']} "
        f"watch_bytes={one['bytes']} watch_peak_mb={two['peak_mb']:.0f} "
        f"watch_cycle2_s={two['seconds']:.2f} watch_requests2={two['requests']} "
        f"watch_bytes2={two['bytes']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
