"""One check cycle over every association's sources, seen from Django.

:func:`run_cycle` runs in named phases:

1. **load** the active sources that are due (all of them with ``force``), of every association
   or of the given sites, with what was stored about each (:func:`engine_state`);
2. **check** them in one call of the engine (:func:`relais.watching.cycle.check_sources`): its
   threads spread over the hosts, a failing source backs off and never blocks the others;
3. **store** each source's new state, then its new entries, per association: an entry whose
   story the association already has (same link, or the same story from another of its
   sources) is not stored again, so that what was seen never comes back (the engine's own
   de-duplication runs over every association at once; it is done again here per association,
   :func:`store_entries`). Each new entry gets its score (:mod:`.scoring`) and raises the
   association's alerts it matches (:mod:`.alerts`). A source shared by the federation or a
   union is checked once and its entries stored for each association it reaches
   (:func:`.sharing.receivers`), each with its own states, scores and alerts.

:func:`add_source` adds a source by a site's address (its feed is discovered).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from cms.federation.models import Association
from relais.watching.cycle import CheckResult, SourceState, check_sources
from relais.watching.cycle import Source as EngineSource
from relais.watching.discovery import discover, with_scheme
from relais.watching.entries import Entry, Story, StoryIndex
from relais.watching.errors import WatchError
from relais.watching.fetch import Fetcher, Validators
from relais.watching.links import story_key

from . import alerts, conf, sharing
from .models import CHANGE_MARK, KeywordRule, Source, WatchEntry
from .scoring import Rule, guess_language, score

MAX_SUMMARY = 2000


class SourceError(Exception):
    """A source that cannot be added; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    """What one source's check gave: ``ok`` or the ``reason`` of the error, new entries."""

    source_id: int
    site_id: int
    url: str
    ok: bool
    reason: str
    new: int
    not_modified: bool = False

    @property
    def status(self) -> str:
        return "ok" if self.ok else "error"


# -- 1. load -----------------------------------------------------------------------------------


def due_sources(
    now: datetime, sites: Iterable[Site] | None = None, force: bool = False
) -> QuerySet:
    sources = Source.objects.filter(active=True).select_related("site")
    if sites is not None:
        sources = sources.filter(site__in=list(sites))
    if not force:
        sources = sources.filter(Q(next_check__isnull=True) | Q(next_check__lte=now))
    return sources.order_by("pk")


def engine_source(source: Source) -> EngineSource:
    return EngineSource(str(source.pk), source.url, source.kind)


def engine_state(source: Source) -> SourceState:
    return SourceState(
        validators=Validators(source.etag or None, source.last_modified or None),
        failures=source.failures,
        next_check=source.next_check,
        last_success=source.last_success,
        last_error=source.last_error,
        last_error_code=source.last_error_code,
        seen=tuple(source.seen or ()),
        text=source.last_text,
    )


# -- 2. check ----------------------------------------------------------------------------------


def run_cycle(
    *,
    sites: Iterable[Site] | None = None,
    force: bool = False,
    now: datetime | None = None,
) -> list[Outcome]:
    """Check the due sources and store what they gave (see the module's docstring)."""
    now = now or timezone.now()
    sources = {str(s.pk): s for s in due_sources(now, sites, force)}
    if not sources:
        return []
    results = check_sources(
        [engine_source(s) for s in sources.values()],
        {key: engine_state(s) for key, s in sources.items()},
        config=conf.watch_config(),
        now=now,
        force=True,  # the due ones were chosen above
    )
    by_site: dict[int, list[tuple[Source, CheckResult]]] = defaultdict(list)
    members: dict[int, list[int]] = {}  # the sites below each sharing owner, for this cycle
    for result in results:
        source = sources[result.source_id]
        store_state(source, result)
        for site_id in sharing.receivers(source, members):  # a shared source: each member
            by_site[site_id].append((source, result))
    new: dict[int, int] = defaultdict(int)
    for site_id, checked in by_site.items():
        for source_id, count in store_entries(site_id, checked, now).items():
            new[source_id] += count
    outcomes = [
        Outcome(
            source.pk,
            source.site_id,
            source.url,
            result.ok,
            result.reason,
            new.get(source.pk, 0),
            result.not_modified,
        )
        for result in results
        for source in (sources[result.source_id],)
    ]
    return sorted(outcomes, key=lambda o: o.source_id)


# -- 3. store ----------------------------------------------------------------------------------


def store_state(source: Source, result: CheckResult) -> None:
    state = result.state
    source.etag = state.validators.etag or ""
    source.last_modified = state.validators.last_modified or ""
    source.failures = state.failures
    source.next_check = state.next_check
    source.last_checked = result.checked_at
    source.last_success = state.last_success
    source.last_error = "" if result.ok else state.last_error
    source.last_error_code = "" if result.ok else state.last_error_code
    source.seen = list(state.seen)
    source.last_text = state.text
    if result.change:
        source.last_change = result.change.text()
        source.last_change_at = result.checked_at
    if (
        result.moved_to
        and not Source.objects.filter(site_id=source.site_id, url=result.moved_to).exists()
    ):
        source.url = result.moved_to
    source.save()


def rules_for(site_id: int) -> list[Rule]:
    """The association's keyword rules, and its sectors' names as include words."""
    rules = [
        Rule(r.word, r.kind == KeywordRule.Kind.INCLUDE, r.language)
        for r in KeywordRule.objects.filter(site_id=site_id)
    ]
    association = Association.objects.filter(site_id=site_id).first()
    if association is not None:
        rules += [Rule(sector.name) for sector in association.sectors.all()]
    return rules


def change_entry(source: Source, result: CheckResult) -> Entry:
    """A watched page's change, as an entry of the desk (its text diff as summary)."""
    assert result.change is not None
    stamp = result.checked_at.strftime("%Y%m%d%H%M%S")
    return Entry(
        key=f"{story_key(source.url)}{CHANGE_MARK}{stamp}",
        link=source.url,
        title=_("Changement sur « %(source)s »") % {"source": source},
        published=result.checked_at,
        summary=result.change.text(),
        source_id=str(source.pk),
    )


def store_entries(
    site_id: int, checked: list[tuple[Source, CheckResult]], now: datetime
) -> dict[int, int]:
    """Store the new entries of one association's sources; the number stored per source."""
    found = [(source, entry) for source, result in checked for entry in result.entries]
    found += [(source, change_entry(source, result)) for source, result in checked if result.change]
    if not found:
        return {}
    keys = [entry.key for _source, entry in found]
    stored = set(
        WatchEntry.objects.filter(site_id=site_id, story_key__in=keys).values_list(
            "story_key", flat=True
        )
    )
    window = conf.watch_config().story_window
    dates = [entry.published for _source, entry in found]
    around = WatchEntry.objects.filter(
        site_id=site_id, published__range=(min(dates) - window, max(dates) + window)
    )
    index = StoryIndex((Story(e.story_key, e.title, e.published) for e in around), window=window)
    rules = rules_for(site_id)
    counts: dict[int, int] = defaultdict(int)
    made: list[WatchEntry] = []
    for source, entry in sorted(found, key=lambda pair: pair[1].published):
        if entry.key in stored or index.match(entry):
            continue
        index.add(entry)
        stored.add(entry.key)
        row = _store(site_id, source, entry, rules)
        if row is not None:
            made.append(row)
            counts[source.pk] += 1
    alerts.raise_alerts(site_id, made)
    return dict(counts)


def _store(site_id: int, source: Source, entry: Entry, rules: list[Rule]) -> WatchEntry | None:
    language = guess_language(f"{entry.title} {entry.summary}")
    found = score(entry.title, entry.summary, rules, language)
    try:
        with transaction.atomic():
            return WatchEntry.objects.create(
                site_id=site_id,
                source=source,
                link=entry.link[:2000],
                title=entry.title[:500] or entry.link[:500],
                summary=entry.summary[:MAX_SUMMARY],
                published=entry.published,
                date_flagged=entry.date_flagged,
                story_key=entry.key[:1000],
                language=language,
                score=found.value,
                matched=list(found.matched),
                state=WatchEntry.State.SKIPPED if found.excluded else WatchEntry.State.NEW,
            )
    except IntegrityError:  # another cycle stored it meanwhile
        return None


# -- adding a source ---------------------------------------------------------------------------


def add_source(site: Site, address: str, kind: str = "") -> Source:
    """Add a source to ``site``'s association by the address an editor typed: a feed; a site
    whose announced feed is found (else its page is watched for changes); with ``kind``
    ``page`` or ``listing``, that page itself. :class:`SourceError` says why not."""
    policy = conf.policy()
    url = with_scheme(address)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(
            _("« %(address)s » n'est pas une adresse de site : écrivez-la en https://…")
            % {"address": address}
        )
    if parts.username or parts.password:  # never stored, shown nor logged
        raise SourceError(
            _(
                "N'écrivez ni identifiant ni mot de passe dans l'adresse : Relais ne suit que "
                "des pages publiques."
            )
        )
    try:
        with Fetcher(policy, conf.limits()) as fetcher:
            if kind in (Source.Kind.PAGE, Source.Kind.LISTING):
                url, title = fetcher.fetch(url).url, ""  # it must be readable
            else:
                found = discover(url, fetcher)
                url, kind, title = found.url, found.kind, found.title
    except WatchError as exc:
        raise SourceError(
            _("Cette adresse ne peut pas être lue : %(reason)s.") % {"reason": exc.reason}
        ) from None
    if Source.objects.filter(site=site, url=url).exists():
        raise SourceError(
            _("Cette source est déjà suivie par l'association : %(url)s") % {"url": url}
        )
    return Source.objects.create(site=site, url=url, kind=kind, title=title[:250])
