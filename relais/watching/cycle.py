"""One check cycle: every due source read at once, pure data in and out.

:func:`check_sources` takes the sources (:class:`Source`) and what was stored about each
(:class:`SourceState`, by source id) and returns one :class:`CheckResult` per source checked,
each with the new state to store. Nothing is kept between calls: the Django side persists the
states and the entries.

The cycle, in named phases:

1. **select** the due sources (never checked, or whose ``next_check`` has come), interleaved
   by host so that the threads spread over the hosts rather than queue on one;
2. **check** them in threads (:attr:`WatchConfig.workers`), each with the fetcher's limits: a
   source that hangs costs its own timeout, never the cycle, and one whose check outlives
   :attr:`WatchConfig.cycle_timeout` is reported abandoned. A feed gives its entries not seen
   before; a page (``page``) its text change as a diff; a listing page (``listing``) its new
   links as entries (its first check only records the links it has);
3. **back off** a failing source: the next check waits :attr:`WatchConfig.retry_base`, doubled
   at each failure in a row up to :attr:`WatchConfig.retry_cap` (longer if the server asked
   with ``Retry-After``); a success brings back :attr:`WatchConfig.interval`;
4. **de-duplicate** the entries across sources (:class:`~.entries.StoryIndex`, seeded with the
   stories the caller already has): a repeat keeps its place, with ``duplicate_of`` set.
"""

from __future__ import annotations

import concurrent.futures
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from relais.outbound import Policy

from .entries import Entry, Story, StoryIndex
from .errors import WatchError
from .feeds import parse_feed
from .fetch import Fetcher, Limits, Usage, Validators
from .links import story_key
from .pages import PageChange, decode, main_text, new_entries, page_links, text_diff
from .politeness import host_of

KINDS = ("feed", "page", "listing")
ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
    "listing": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}


@dataclass(frozen=True)
class Source:
    """A source to watch: ``id`` is the caller's key; ``kind`` one of :data:`KINDS`;
    ``interval`` its own time between checks (else the configuration's)."""

    id: str
    url: str
    kind: str = "feed"
    interval: timedelta | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"source {self.id}: kind {self.kind!r} is not one of {KINDS}")


@dataclass(frozen=True)
class SourceState:
    """What to store about a source between cycles. ``seen`` holds the story keys it already
    gave (a feed's entries, a listing's links), newest first; ``text`` a page's main text."""

    validators: Validators = field(default_factory=Validators)
    failures: int = 0
    next_check: datetime | None = None
    last_success: datetime | None = None
    last_error: str = ""
    last_error_code: str = ""
    seen: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class WatchConfig:
    policy: Policy = field(default_factory=Policy)
    limits: Limits = field(default_factory=Limits)
    interval: timedelta = timedelta(hours=1)
    retry_base: timedelta = timedelta(minutes=5)
    retry_cap: timedelta = timedelta(hours=24)
    workers: int = 32
    story_window: timedelta = timedelta(days=3)
    max_seen: int = 2000
    cycle_timeout: float | None = 900.0


@dataclass(frozen=True)
class CheckResult:
    """One source's check: ``ok``, or ``code`` and ``reason`` (plain French) of the error;
    the new ``entries`` (repeats marked), a page's ``change``, what it cost, and the ``state``
    to store. ``moved_to`` is the source's new address when it moved for good."""

    source_id: str
    url: str
    ok: bool
    checked_at: datetime
    state: SourceState
    code: str = ""
    reason: str = ""
    entries: tuple[Entry, ...] = ()
    change: PageChange | None = None
    not_modified: bool = False
    bytes_read: int = 0
    requests: int = 0
    moved_to: str | None = None
    detail: str = field(default="", repr=False)

    @property
    def status(self) -> str:
        return "ok" if self.ok else "error"


def backoff(failures: int, config: WatchConfig) -> timedelta:
    """The wait before the next check after ``failures`` failures in a row."""
    if failures <= 0:
        return config.interval
    exponent = min(failures - 1, 30)
    return min(config.retry_cap, config.retry_base * (2**exponent))


def is_due(state: SourceState | None, now: datetime) -> bool:
    return state is None or state.next_check is None or state.next_check <= now


def interleave(sources: Iterable[Source]) -> list[Source]:
    """``sources`` in turns over their hosts (one of each host, then a second of each…)."""
    by_host: dict[str, list[Source]] = {}
    for source in sources:
        by_host.setdefault(host_of(source.url), []).append(source)
    queues = list(by_host.values())
    ordered: list[Source] = []
    depth = 0
    while len(ordered) < sum(map(len, queues)):
        ordered.extend(queue[depth] for queue in queues if depth < len(queue))
        depth += 1
    return ordered


def check_sources(
    sources: Sequence[Source],
    state: Mapping[str, SourceState],
    *,
    config: WatchConfig | None = None,
    now: datetime | None = None,
    known: Iterable[Story] = (),
    fetcher: Fetcher | None = None,
    force: bool = False,
) -> list[CheckResult]:
    """Check the due sources (all of them with ``force``); see the module's docstring."""
    config = config or WatchConfig()
    now = now or datetime.now(UTC)
    repeated = sorted(id for id, n in Counter(s.id for s in sources).items() if n > 1)
    if repeated:
        raise ValueError(f"source ids must be unique; given more than once: {repeated}")
    due = [s for s in sources if force or is_due(state.get(s.id), now)]
    if not due:
        return []
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(config.policy, config.limits)
    pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=max(1, min(config.workers, len(due))), thread_name_prefix="relais-watch"
    )
    try:
        futures = {
            source.id: pool.submit(
                check_source, source, state.get(source.id), fetcher=fetcher, config=config, now=now
            )
            for source in interleave(due)
        }
        concurrent.futures.wait(futures.values(), timeout=config.cycle_timeout)
        results = [_outcome(s, futures[s.id], state.get(s.id), config, now) for s in due]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if own_fetcher:
            fetcher.close()
    return deduplicate(results, StoryIndex(known, window=config.story_window))


def _outcome(
    source: Source,
    future: concurrent.futures.Future[CheckResult],
    previous: SourceState | None,
    config: WatchConfig,
    now: datetime,
) -> CheckResult:
    if future.done():
        return future.result()
    future.cancel()
    return failed(source, previous, WatchError("abandoned"), Usage(), config, now)


def deduplicate(results: list[CheckResult], index: StoryIndex) -> list[CheckResult]:
    """``results`` with every entry that repeats a story marked (oldest entries first)."""
    ordered = sorted(
        (
            (entry.published, n, i)
            for n, r in enumerate(results)
            for i, entry in enumerate(r.entries)
        ),
    )
    marked: dict[tuple[int, int], Entry] = {}
    for _published, n, i in ordered:
        marked[(n, i)] = index.mark(results[n].entries[i])
    return [
        replace(r, entries=tuple(marked[(n, i)] for i in range(len(r.entries))))
        for n, r in enumerate(results)
    ]


# -- one source --------------------------------------------------------------------------------


def check_source(
    source: Source,
    previous: SourceState | None,
    *,
    fetcher: Fetcher,
    config: WatchConfig,
    now: datetime,
) -> CheckResult:
    """Check one source (in a thread of the cycle); never raises for the source's faults."""
    previous = previous or SourceState()
    usage = Usage()
    # conditional only when there is something to compare with
    validators = previous.validators if previous.last_success else Validators()
    try:
        fetched = fetcher.fetch(source.url, validators, usage=usage, accept=ACCEPT[source.kind])
        entries: list[Entry] = []
        change: PageChange | None = None
        seen, text = previous.seen, previous.text
        if fetched.not_modified:
            pass
        elif source.kind == "feed":
            feed = parse_feed(
                fetched.body,
                url=fetched.url,
                fetched_at=now,
                content_type=fetched.content_type,
                source_id=source.id,
            )
            known = set(previous.seen)
            entries = [e for e in feed.entries if e.key not in known]
            seen = _remember([e.key for e in feed.entries], previous.seen, config.max_seen)
        elif source.kind == "page":
            text = main_text(decode(fetched.body, fetched.charset), fetched.url)
            if previous.text:
                change = text_diff(previous.text, text) or None
        else:
            links = page_links(decode(fetched.body, fetched.charset), fetched.url)
            if previous.last_success:  # the first check only records the links there are
                entries = new_entries(
                    links, set(previous.seen), fetched_at=now, source_id=source.id
                )
            keys = [story_key(link) for link, _ in links]
            seen = _remember(keys, previous.seen, config.max_seen)
    except WatchError as exc:
        return failed(source, previous, exc, usage, config, now)
    except Exception as exc:  # a fault of the engine on this source must not stop the cycle
        error = WatchError("unexpected", f"{type(exc).__name__}: {exc}")
        return failed(source, previous, error, usage, config, now)
    new_state = SourceState(
        validators=fetched.validators,
        failures=0,
        next_check=now + (source.interval or config.interval),
        last_success=now,
        seen=seen,
        text=text,
    )
    return CheckResult(
        source_id=source.id,
        url=source.url,
        ok=True,
        checked_at=now,
        state=new_state,
        entries=tuple(entries),
        change=change,
        not_modified=fetched.not_modified,
        bytes_read=usage.bytes_read,
        requests=usage.requests,
        moved_to=fetched.moved_to,
    )


def failed(
    source: Source,
    previous: SourceState | None,
    error: WatchError,
    usage: Usage,
    config: WatchConfig,
    now: datetime,
) -> CheckResult:
    """The result of a check that failed with ``error``: the state keeps what it knew, and
    the next check is backed off."""
    previous = previous or SourceState()
    failures = previous.failures + 1
    wait = backoff(failures, config)
    if error.retry_after:
        wait = max(wait, min(timedelta(seconds=error.retry_after), config.retry_cap))
    state = replace(
        previous,
        failures=failures,
        next_check=now + wait,
        last_error=error.reason,
        last_error_code=error.code,
    )
    return CheckResult(
        source_id=source.id,
        url=source.url,
        ok=False,
        checked_at=now,
        state=state,
        code=error.code,
        reason=error.reason,
        bytes_read=usage.bytes_read,
        requests=usage.requests,
        detail=error.detail,
    )


def _remember(current: Sequence[str], previous: Sequence[str], limit: int) -> tuple[str, ...]:
    """Keys seen now, then those seen before, each once, at most ``limit``."""
    return tuple(dict.fromkeys([*current, *previous]))[:limit]
