"""Listings, feeds and the home page, planned so that one new item rewrites a few files.

Pelican paginates each listing newest first: page 1 holds the 12 newest items, so one new item
shifts every page of every listing it joins (1,400 files at 10,000 items). Relais plans its
listings so that each page's content depends on as little as possible:

- the **front page** of a listing (``/actualites/``, ``/tags/hydrogene/``, the home page) shows
  the newest items and links to the archives by year;
- the **archives** (``/actualites/archives/2026/``, ``/2026/2/``…) cut each year into pages in
  chronological order, page 1 starting in January, each linking its neighbours and the front
  page (which lists the years). A new item only changes the last page of its year, an edit only
  its own page, an unpublished item only the pages of its year after it;
- **feeds** hold the newest ``FEED_MAX_ITEMS`` items.

The plan is data: every output is a :class:`Spec` with a ``signature`` that changes exactly
when the output's bytes can change (a digest of the items it shows and their versions, its
links: :func:`signed`; the plan of a large site keeps a few bytes per output, not what they
show). A full
build renders every spec; the incremental builder (``relais.incremental``) recomputes the specs
of the listings an update touches and renders only those whose signature changed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import signals

from relais.pelican.calendar import AGENDA_FILE, agenda_bytes
from relais.pelican.context import build_now
from relais.pelican.i18n import site_gettext, site_lang
from relais.pelican.sitemap import (
    SHARD_FOLDER,
    changed,
    item_entries,
    newest,
    render_index,
    render_urlset,
    robots_txt,
    shard_name,
)
from relais.pelican.taxonomies import TAXONOMIES
from relais.sections import SECTIONS


def version(article: Any) -> bytes:
    """The digest (:func:`signed`) of what an article's rendering depends on: its source file,
    the picture it shows and what its links to other files resolve to. Computed once per
    article object, after the plugins have set those (a changed article is a new object), so
    that a page of twelve items is signed from twelve digests, not from all they hold."""
    cached = article.__dict__.get("_relais_version")
    if cached is None:
        cached = article._relais_version = signed(
            article.relative_source_path,
            getattr(article, "relais_digest", ""),
            getattr(article, "image_enclosure", None),
            getattr(article, "image_size", None),
            getattr(article, "relais_links", ()),
        )
    return cached


def cache_urls(article: Any) -> None:
    """Pelican computes ``url`` and ``save_as`` from the settings at every access: keep them."""
    article.relais_url = article.url
    article.relais_save_as = article.save_as


def newest_first(article: Any) -> tuple:
    key = article.__dict__.get("_relais_order")
    if key is None:
        key = article._relais_order = (
            -article.date.timestamp(),
            article.slug,
            article.category.slug,
        )
    return key


def _oldest_first(article: Any) -> tuple:
    """The reverse of :func:`newest_first`, as a key that sorts ascending."""
    stamp, slug, category = newest_first(article)
    return (-stamp, _Reversed(slug), _Reversed(category))


@dataclass(frozen=True, order=False)
class _Reversed:
    """A string that sorts the other way round."""

    value: str

    def __lt__(self, other: _Reversed) -> bool:
        return self.value > other.value


def _take_out(items: list[Any], article: Any, key: Callable[[Any], Any]) -> None:
    """Remove ``article`` (this very object) from ``items``, sorted by ``key``."""
    start = bisect.bisect_left(items, key(article), key=key)
    for i in range(start, len(items)):
        if items[i] is article:
            del items[i]
            return
        if key(items[i]) != key(article):
            break
    raise ValueError(f"{getattr(article, 'source_path', article)!r} is not in the listing")


@dataclass(frozen=True)
class ListingKey:
    kind: str  # index, category, tag, class_year, group, author
    slug: str = ""


@dataclass
class Listing:
    """One list of items: the home page, a section, a tag, a class year, a group, a contributor."""

    key: ListingKey
    base: str  # URL of the front page, relative to the site root ("" for the home page)
    template: str
    title: str
    intro: str = ""
    term: Any = None
    feed_atom: str = ""
    feed_rss: str = ""
    articles: list[Any] = field(default_factory=list)  # newest first
    _newest: Any = field(default=None, repr=False)
    #: The items of each year, oldest first, and each year's archive pages as (items, their
    #: versions): kept between updates so that one change recomputes only its own year.
    _by_year: dict[int, list[Any]] | None = field(default=None, repr=False)
    _chunks: dict[int, list[tuple[tuple, tuple]]] = field(default_factory=dict, repr=False)

    def add(self, article: Any) -> None:
        """Insert an item at its place (newest first)."""
        key = newest_first(article)
        self.articles.insert(bisect.bisect(self.articles, key, key=newest_first), article)
        if self._newest is not None:
            self._newest = max(self._newest, changed(article))
        if self._by_year is not None:
            year = self._by_year.setdefault(article.date.year, [])
            year.insert(bisect.bisect(year, _oldest_first(article), key=_oldest_first), article)
        self._chunks.pop(article.date.year, None)

    def remove(self, article: Any) -> None:
        """Take an item out (found by its place: ``list.remove`` would compare it with every
        item before it)."""
        _take_out(self.articles, article, newest_first)
        if self._newest is not None and changed(article) >= self._newest:
            self._newest = None  # it may have been the newest: look again when asked
        if self._by_year is not None:
            year = self._by_year[article.date.year]
            _take_out(year, article, _oldest_first)
            if not year:
                del self._by_year[article.date.year]
        self._chunks.pop(article.date.year, None)

    @property
    def newest(self) -> Any:
        """When the newest change among its items was made (the sitemap's lastmod)."""
        if self._newest is None:
            self._newest = newest(self.articles)
        return self._newest

    def by_year(self) -> dict[int, list[Any]]:
        """The items of each year, oldest first."""
        if self._by_year is None:
            by_year: dict[int, list[Any]] = defaultdict(list)
            for article in reversed(self.articles):  # oldest first
                by_year[article.date.year].append(article)
            self._by_year = dict(by_year)
        return self._by_year

    def year_chunks(self, year: int, per_page: int) -> list[tuple[tuple, tuple]]:
        """The archive pages of ``year``: (items oldest first, their versions) per page."""
        chunks = self._chunks.get(year)
        if chunks is None:
            items = self.by_year()[year]
            chunks = self._chunks[year] = [
                (page, tuple(version(a) for a in page))
                for page in (tuple(items[i : i + per_page]) for i in range(0, len(items), per_page))
            ]
        return chunks

    def archive_url(self, year: int, number: int = 1) -> str:
        return f"{self.base}archives/{year}/" + (f"{number}/" if number > 1 else "")


def signed(*parts: Any) -> bytes:
    """The signature of an output: a digest of everything its bytes depend on. The parts are
    values whose ``repr`` is their value (strings, numbers, dates, None, and tuples and
    dataclasses of them): equal parts give equal signatures in any process."""
    text = repr(parts)
    if " at 0x" in text:  # an object shown by its address: the signature would never repeat
        raise TypeError(f"Not a value, cannot be signed: {text[:200]}")
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class Spec:
    """One output file: where it goes, and the signature of everything its bytes depend on
    (:func:`signed`)."""

    path: str
    kind: str  # front, archive, feed-atom, feed-rss, home, tags, article, page, global
    listing: ListingKey | None
    signature: bytes
    render: Callable[[Any, Any], None] = field(compare=False, hash=False, repr=False)
    year: int | None = None  # an archive page's year


# -- which listings an article belongs to -------------------------------------------------------


def listing_keys(article: Any) -> list[ListingKey]:
    return [key for key, _term in keys_and_terms(article)]


def make_listing(key: ListingKey, term: Any, settings: dict[str, Any]) -> Listing:
    """The listing's URL, template, title and feeds (``RELAIS_FEEDS`` by kind of listing)."""
    atom, rss = settings.get("RELAIS_FEEDS", {}).get(key.kind, ("", ""))
    slug = term.slug if term is not None else ""
    feeds = {"feed_atom": atom.format(slug=slug), "feed_rss": rss.format(slug=slug)}
    if key.kind == "index":
        return Listing(key, "", "index", settings["SITENAME"], **feeds)
    if key.kind == "sitemap":  # not a page: the items of a sitemap shard
        return Listing(key, f"{SHARD_FOLDER}/{key.slug}.xml", "", "")
    lang = site_lang(settings)
    if key.kind == "category":
        section = SECTIONS.get(term.slug)
        return Listing(
            key,
            term.url,
            "category",
            section.label(lang) if section else term.name,
            intro=section.description(lang) if section else "",
            term=term,
            **feeds,
        )
    _ = site_gettext(settings)
    name = term.name
    titles = {
        "tag": (_("Thème : %(name)s", name=name), ""),
        "author": (
            _("Contributions de %(name)s", name=name),
            _("Merci à %(name)s pour ces articles.", name=name),
        ),
        "class_year": (
            _("Promotion %(name)s", name=name),
            _("Les nouvelles et les événements de la promotion %(name)s.", name=name),
        ),
        "group": (_("Groupe : %(name)s", name=name), ""),
    }
    title, intro = titles[key.kind]
    return Listing(key, term.url, key.kind, title, intro=intro, term=term, **feeds)


def build_listings(articles: Iterable[Any], settings: dict[str, Any]) -> dict[ListingKey, Listing]:
    """Every listing with its articles, newest first."""
    listings: dict[ListingKey, Listing] = {}
    members: dict[ListingKey, list[Any]] = defaultdict(list)
    terms: dict[ListingKey, Any] = {}
    for article in articles:
        for key, term in keys_and_terms(article):
            members[key].append(article)
            terms.setdefault(key, term)
    for key, arts in members.items():
        listing = make_listing(key, terms[key], settings)
        listing.articles = sorted(arts, key=newest_first)
        listings[key] = listing
    return listings


def keys_and_terms(article: Any) -> list[tuple[ListingKey, Any]]:
    pairs: list[tuple[ListingKey, Any]] = [
        (ListingKey("index"), None),
        (ListingKey("category", article.category.slug), article.category),
    ]
    pairs += [(ListingKey("tag", t.slug), t) for t in getattr(article, "tags", None) or []]
    for taxonomy in TAXONOMIES:
        pairs += [
            (ListingKey(taxonomy.template, t.slug), t) for t in getattr(article, taxonomy.key, [])
        ]
    pairs += [(ListingKey("author", a.slug), a) for a in getattr(article, "authors", None) or []]
    pairs.append((ListingKey("sitemap", shard_name(article)), None))
    return pairs


# -- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchivePage:
    """What an archive page shows, beside its items."""

    year: int
    number: int
    url: str
    prev_url: str
    next_url: str
    first: dt.date
    last: dt.date


def plan_listing(
    listing: Listing, settings: dict[str, Any], years: Collection[int] | None = None
) -> list[Spec]:
    """The specs of a listing's front page, archive pages and feeds; with ``years`` (the
    years of the items a publication changed), only the archive pages those years can change:
    theirs and the pages next to them (:func:`archive_pages`)."""
    if listing.key.kind == "sitemap":
        entries = tuple(item_entries(listing.articles))
        site_url = settings["SITEURL"]
        # written only if its signature changed: the file is rendered then, not at every plan
        return [
            file_spec(
                listing.base,
                (site_url, entries),
                lambda: render_urlset(site_url, list(entries)).encode("utf-8"),
                listing.key,
            )
        ]
    per_page = settings.get("DEFAULT_PAGINATION") or 12
    articles = listing.articles
    year_links = _year_links(listing, settings)
    specs: list[Spec] = []
    front = tuple(articles[:per_page])
    if listing.key.kind != "index":
        specs.append(
            _page_spec(f"{listing.base}index.html", "front", listing, front, None, year_links)
        )
    if has_archives(listing, settings):
        for page, items, versions in archive_pages(listing, per_page, years):
            # archive pages link their neighbours and the front page, not every year: a new
            # year then changes the front page and one archive page, not all of them
            specs.append(
                _page_spec(page.url + "index.html", "archive", listing, items, page, (), versions)
            )
    feed_items = tuple(articles[: settings.get("FEED_MAX_ITEMS") or None])
    for kind, path in (("atom", listing.feed_atom), ("rss", listing.feed_rss)):
        if path:
            specs.append(
                Spec(
                    path,
                    f"feed-{kind}",
                    listing.key,
                    signed(path, tuple(version(a) for a in feed_items)),
                    _feed_renderer(listing, path, kind, feed_items),
                )
            )
    return specs


def has_archives(listing: Listing, settings: dict[str, Any]) -> bool:
    """Whether the listing has archive pages (more items than its front page shows)."""
    return len(listing.articles) > (settings.get("DEFAULT_PAGINATION") or 12)


def _years(listing: Listing) -> tuple[int, ...]:
    return tuple(sorted(listing.by_year(), reverse=True))


def _year_links(listing: Listing, settings: dict[str, Any]) -> tuple:
    """(year, its archives' address) of each year, newest first; none without archives."""
    if not has_archives(listing, settings):
        return ()
    return tuple((y, listing.archive_url(y)) for y in _years(listing))


def archive_pages(
    listing: Listing, per_page: int, years: Collection[int] | None = None
) -> Iterator[tuple[ArchivePage, tuple, tuple]]:
    """(page, items oldest first, their versions) of each archive page, in chronological
    order. With ``years``, only the pages of those years and the pages next to them (the last
    of the year before, the first of the year after: their links to them may change, also
    when such a year has no page left); the other pages are neither counted nor built."""
    known = sorted(listing.by_year())

    def count(k: int) -> int:
        return len(listing.year_chunks(known[k], per_page))

    if years is None:
        wanted = {(k, n) for k in range(len(known)) for n in range(1, count(k) + 1)}
    else:
        wanted = set()
        for year in set(years):
            k = bisect.bisect_left(known, year)
            present = k < len(known) and known[k] == year
            if present:
                wanted |= {(k, n) for n in range(1, count(k) + 1)}
            after = k + 1 if present else k
            if k > 0:
                wanted.add((k - 1, count(k - 1)))
            if after < len(known):
                wanted.add((after, 1))

    def url(k: int, n: int) -> str:
        return listing.archive_url(known[k], n)

    for k, n in sorted(wanted):
        items, versions = listing.year_chunks(known[k], per_page)[n - 1]
        last = count(k)
        if n > 1:
            prev_url = url(k, n - 1)
        else:
            prev_url = url(k - 1, count(k - 1)) if k > 0 else ""
        if n < last:
            next_url = url(k, n + 1)
        else:
            next_url = url(k + 1, 1) if k + 1 < len(known) else ""
        page = ArchivePage(
            year=known[k],
            number=n,
            url=url(k, n),
            prev_url=prev_url,
            next_url=next_url,
            first=items[0].date.date(),
            last=items[-1].date.date(),
        )
        yield page, items, versions


def _page_spec(
    path: str,
    kind: str,
    listing: Listing,
    items: tuple,
    archive: ArchivePage | None,
    year_links: tuple,
    versions: tuple | None = None,
) -> Spec:
    if versions is None:
        versions = tuple(version(a) for a in items)
    signature = signed(
        path,
        listing.title,
        versions,
        archive,
        year_links,
        listing.feed_atom,
        listing.feed_rss,
    )

    def render(generator: Any, writer: Any) -> None:
        writer.write_file(
            path,
            generator.get_template(listing.template),
            generator.context,
            relative_urls=generator.settings["RELATIVE_URLS"],
            url=path.removesuffix("index.html"),
            listing=listing,
            items=list(items),
            archive=archive,
            year_links=year_links,
            category=listing.term if listing.key.kind == "category" else None,
            page_name=path.removesuffix("/index.html").removesuffix("index.html"),
        )

    return Spec(path, kind, listing.key, signature, render, archive.year if archive else None)


def _feed_renderer(listing: Listing, path: str, kind: str, items: tuple) -> Callable:
    title = None if listing.key.kind == "index" else listing.title

    def render(generator: Any, writer: Any) -> None:
        writer.write_feed(
            list(items), generator.context, path, path, feed_type=kind, feed_title=title
        )

    return render


def home_spec(listing: Listing, settings: dict[str, Any], upcoming: list[Any]) -> Spec:
    """The home page: the newest items of the whole site and the upcoming events."""
    per_page = settings.get("DEFAULT_PAGINATION") or 12
    items = tuple(listing.articles[:per_page])
    year_links = _year_links(listing, settings)
    signature = signed(
        "index.html",
        tuple(version(a) for a in items),
        tuple(version(a) for a in upcoming),
        year_links,
    )

    def render(generator: Any, writer: Any) -> None:
        writer.write_file(
            "index.html",
            generator.get_template("index"),
            generator.context,
            relative_urls=settings["RELATIVE_URLS"],
            url="",
            listing=listing,
            items=list(items),
            archive=None,
            year_links=year_links,
            upcoming_events_home=list(upcoming),
            page_name="index",
        )

    return Spec("index.html", "home", ListingKey("index"), signature, render)


def tags_spec(listings: dict[ListingKey, Listing], settings: dict[str, Any]) -> Spec | None:
    """The page of all tags, class years and groups with their counts."""
    path = settings.get("TAGS_SAVE_AS")
    if not path:
        return None
    groups: dict[str, list[tuple[str, str, int]]] = {"tag": [], "class_year": [], "group": []}
    for key, listing in listings.items():
        if key.kind in groups:
            groups[key.kind].append((listing.term.name, listing.term.url, len(listing.articles)))
    groups["tag"].sort(key=lambda t: (t[0].casefold(), t[0]))
    groups["class_year"].sort(key=lambda t: t[0], reverse=True)
    groups["group"].sort(key=lambda t: (t[0].casefold(), t[0]))
    signature = signed(path, tuple((k, tuple(v)) for k, v in sorted(groups.items())))

    def render(generator: Any, writer: Any) -> None:
        writer.write_file(
            path,
            generator.get_template("tags"),
            generator.context,
            relative_urls=settings["RELATIVE_URLS"],
            url=settings.get("TAGS_URL"),
            tag_terms=groups["tag"],
            class_year_terms=groups["class_year"],
            group_terms=groups["group"],
            page_name="tags",
        )

    return Spec(path, "tags", None, signature, render)


def file_spec(
    path: str, depends: tuple, data: Callable[[], bytes | None], listing: ListingKey | None = None
) -> Spec:
    """An output made of bytes rather than a template (sitemap, robots.txt, agenda), whose
    bytes depend on the values of ``depends``."""

    def render(generator: Any, writer: Any) -> None:
        content = data()
        if content is not None:
            target = Path(writer.output_path) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    return Spec(path, "file", listing, signed(path, depends), render)


def global_specs(
    listings: dict[ListingKey, Listing],
    events: Events,
    pages: list[Any],
    settings: dict[str, Any],
) -> list[Spec]:
    """The sitemap index and its listings shard, robots.txt and the agenda of ``events`` (the
    items that are events)."""
    siteurl = settings["SITEURL"]
    pages_entries: dict[str, Any] = {"": None}
    shards: list[tuple[str, Any]] = []
    for listing in listings.values():
        if listing.key.kind == "sitemap":
            shards.append((listing.base, listing.newest))
        elif listing.key.kind != "index":
            pages_entries[listing.base] = listing.newest
        else:
            pages_entries[""] = listing.newest
    if settings.get("TAGS_SAVE_AS") and listings:
        pages_entries[settings.get("TAGS_URL", "tags/")] = pages_entries[""]
    for page in pages:
        pages_entries[page.url] = None
    listing_entries = tuple(sorted(pages_entries.items()))
    listing_text = render_urlset(siteurl, list(listing_entries))
    shards.append((f"{SHARD_FOLDER}/listings.xml", pages_entries[""]))
    index_text = render_index(siteurl, sorted(shards))
    agenda, versions = events.agenda()
    specs = [
        file_spec("sitemap.xml", (index_text,), lambda: index_text.encode("utf-8")),
        file_spec(
            f"{SHARD_FOLDER}/listings.xml", listing_entries, lambda: listing_text.encode("utf-8")
        ),
        file_spec("robots.txt", (siteurl,), lambda: robots_txt(siteurl).encode("utf-8")),
    ]
    if agenda:
        specs.append(file_spec(AGENDA_FILE, versions, lambda: agenda_bytes(agenda, settings)))
    return specs


def is_event(article: Any) -> bool:
    return article.relais.event is not None


def _until(article: Any) -> dt.datetime:
    return article.relais.event.end or article.relais.event.start


def _upcoming_order(article: Any) -> tuple:
    return (article.relais.event.start, article.slug, article.category.slug)


class Events:
    """The items that are events, kept in order of their end: the home page's next events are
    found without looking at the past ones, and the agenda's order and signature are computed
    again only when an event changes (a site of 50,000 items has thousands of past events)."""

    def __init__(self, articles: Iterable[Any] = ()):
        self._items: set[Any] = set()
        self._by_end: list[Any] = []
        self._agenda: tuple[tuple, tuple] | None = None
        for article in articles:
            self.add(article)

    def add(self, article: Any) -> None:
        if article not in self._items:
            self._items.add(article)
            bisect.insort(self._by_end, article, key=_until)
            self._agenda = None

    def discard(self, article: Any) -> None:
        if article in self._items:
            self._items.discard(article)
            i = bisect.bisect_left(self._by_end, _until(article), key=_until)
            while self._by_end[i] is not article:
                i += 1
            del self._by_end[i]
            self._agenda = None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def upcoming(self, now: dt.datetime) -> list[Any]:
        """The events not over at ``now``, soonest first."""
        start = bisect.bisect_left(self._by_end, now, key=_until)
        return sorted(self._by_end[start:], key=_upcoming_order)

    def agenda(self) -> tuple[tuple, tuple]:
        """Every event in the agenda's order, and their versions (the agenda's signature)."""
        if self._agenda is None:
            ordered = tuple(sorted(self._items, key=version))
            self._agenda = (ordered, tuple(version(e) for e in ordered))
        return self._agenda


@dataclass
class Plan:
    """Every listing, feed and home output of the site, by output path."""

    listings: dict[ListingKey, Listing]
    specs: dict[str, Spec]
    #: The items that are events (the home page's upcoming events, the agenda).
    events: Events = field(default_factory=Events)
    #: Whether each listing had archive pages when last planned (an update plans again only
    #: the archive years it changed, unless that changed).
    archived: dict[ListingKey, bool] = field(default_factory=dict)
    #: The output paths of each listing's specs (``None``: the site-wide outputs) by the year
    #: of their archive page (``None``: its front page and feeds), so that an update finds the
    #: outputs of a listing's changed years without looking at every output of the listing.
    paths: dict[ListingKey | None, dict[int | None, set[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.paths:
            for spec in self.specs.values():
                self._list(spec)

    def specs_of(
        self, key: ListingKey | None, years: Collection[int] | None = None
    ) -> Iterator[Spec]:
        """The specs of the listing ``key`` (``None``: the site-wide ones); with ``years``,
        only its archive pages of those years and its outputs of no year."""
        by_year = self.paths.get(key, {})
        chosen = by_year if years is None else [None, *years]
        return (self.specs[path] for year in chosen for path in by_year.get(year, ()))

    def replace(self, gone: Iterable[str], specs: dict[str, Spec]) -> None:
        """Remove the outputs ``gone`` and put ``specs`` in place."""
        for path in gone:
            self._unlist(self.specs.pop(path))
        for path, spec in specs.items():
            old = self.specs.get(path)
            if old is not None:
                self._unlist(old)
            self.specs[path] = spec
            self._list(spec)

    def _list(self, spec: Spec) -> None:
        self.paths.setdefault(spec.listing, {}).setdefault(spec.year, set()).add(spec.path)

    def _unlist(self, spec: Spec) -> None:
        by_year = self.paths.get(spec.listing)
        paths = None if by_year is None else by_year.get(spec.year)
        if paths is not None:
            paths.discard(spec.path)
            if not paths:
                del by_year[spec.year]
                if not by_year:
                    del self.paths[spec.listing]

    @classmethod
    def compute(
        cls,
        articles: list[Any],
        settings: dict[str, Any],
        pages: list[Any] = (),
        now: dt.datetime | None = None,
    ) -> Plan:
        listings = build_listings(articles, settings)
        events = Events(a for a in articles if is_event(a))
        specs: dict[str, Spec] = {}
        archived: dict[ListingKey, bool] = {}
        for key, listing in listings.items():
            archived[key] = has_archives(listing, settings)
            for spec in plan_listing(listing, settings):
                specs[spec.path] = spec
        index = listings.get(ListingKey("index")) or make_listing(
            ListingKey("index"), None, settings
        )
        upcoming = events.upcoming(now or build_now(settings))
        home = home_spec(index, settings, upcoming[:4])
        specs[home.path] = home
        tags = tags_spec(listings, settings)
        if tags:
            specs[tags.path] = tags
        for spec in global_specs(listings, events, list(pages), settings):
            specs[spec.path] = spec
        return cls(listings, specs, events, archived)


def take_over_listings(generator: Any) -> None:
    """Pelican's ``article_generator_finalized``: Relais writes the listings itself, so Pelican's
    own tag, category and author loops (quadratic in the number of items) get nothing to do.
    The context keeps its copies for the templates and the sitemap."""
    generator.tags = {}
    generator.categories = []
    generator.authors = []
    for article in generator.articles:
        cache_urls(article)


def write_plan(generator: Any, writer: Any) -> None:
    """Pelican's ``article_writer_finalized``: write every listing, feed and the home page."""
    plan = Plan.compute(generator.articles, generator.settings, generator.context.get("pages", []))
    generator.relais_plan = plan
    for spec in plan.specs.values():
        spec.render(generator, writer)


def register() -> None:
    signals.article_generator_finalized.connect(take_over_listings)
    signals.article_writer_finalized.connect(write_plan)
