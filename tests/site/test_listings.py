"""A listing kept up to date item by item (what the warm builder does) holds exactly what a
listing made from scratch holds: order, years, archive pages and the newest change."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest

from relais.pelican.listings import (
    Events,
    Listing,
    ListingKey,
    Plan,
    Spec,
    newest_first,
    signed,
    version,
)
from relais.pelican.sitemap import newest

PER_PAGE = 3


def article(n: int, rng: random.Random) -> SimpleNamespace:
    date = dt.datetime(2023, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(0, 900))
    if rng.random() < 0.2:  # same instant as others: the slug and the section decide
        date = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    modified = date + dt.timedelta(days=rng.randrange(0, 30)) if rng.random() < 0.5 else None
    return SimpleNamespace(
        date=date,
        modified=modified,
        slug=f"item-{rng.randrange(40):02d}-{n}",
        category=SimpleNamespace(slug=rng.choice(["actualites", "parcours"])),
        relative_source_path=f"x/{n}.md",
    )


def from_scratch(articles: list) -> Listing:
    return Listing(
        ListingKey("index"), "", "index", "Site", articles=sorted(articles, key=newest_first)
    )


@pytest.mark.parametrize("seed", range(5))
def test_item_by_item_equals_from_scratch(seed):
    rng = random.Random(seed)
    live: list = [article(n, rng) for n in range(30)]
    kept = from_scratch(live)
    kept.by_year(), kept.newest  # the caches are warm, as in the builder
    for n in range(30, 230):
        if live and rng.random() < 0.45:
            gone = live.pop(rng.randrange(len(live)))
            kept.remove(gone)
        else:
            new = article(n, rng)
            live.append(new)
            kept.add(new)
        if rng.random() < 0.3 and kept.by_year():  # a year's pages asked, as a plan does
            kept.year_chunks(rng.choice(list(kept.by_year())), PER_PAGE)
        fresh = from_scratch(live)
        assert kept.articles == fresh.articles
        assert kept.by_year() == fresh.by_year()
        assert kept.newest == fresh.newest == newest(live)
        for year in fresh.by_year():
            assert kept.year_chunks(year, PER_PAGE) == fresh.year_chunks(year, PER_PAGE)
            items = [a for a in reversed(fresh.articles) if a.date.year == year]
            pages = [tuple(items[i : i + PER_PAGE]) for i in range(0, len(items), PER_PAGE)]
            assert [p for p, _versions in kept.year_chunks(year, PER_PAGE)] == pages
            assert all(
                v == tuple(version(a) for a in p) for p, v in kept.year_chunks(year, PER_PAGE)
            )


class Item(SimpleNamespace):
    """An item as Pelican's are: equal only to itself (the plan keeps events in a set)."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__


def event(n: int, rng: random.Random) -> Item:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(0, 400))
    end = start + dt.timedelta(days=rng.randrange(0, 3)) if rng.random() < 0.5 else None
    return Item(
        relais=SimpleNamespace(event=SimpleNamespace(start=start, end=end)),
        slug=f"event-{n}",
        category=SimpleNamespace(slug="evenements"),
        relative_source_path=f"evenements/{n}.md",
    )


@pytest.mark.parametrize("seed", range(3))
def test_events_kept_in_order_give_what_a_full_sort_gives(seed):
    """The plan's events, added and removed one by one: the events not over at any moment,
    soonest first, and the agenda's order and signature, as sorting them all would give."""
    rng = random.Random(seed)
    kept, current = Events(), []
    for n in range(300):
        if current and rng.random() < 0.3:
            gone = current.pop(rng.randrange(len(current)))
            kept.discard(gone)
        else:
            new = event(n, rng)
            current.append(new)
            kept.add(new)
        if n % 25 == 0:
            now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(400))
            expected = sorted(
                (e for e in current if (e.relais.event.end or e.relais.event.start) >= now),
                key=lambda e: (e.relais.event.start, e.slug, e.category.slug),
            )
            assert kept.upcoming(now) == expected
            ordered = tuple(sorted(current, key=version))
            assert kept.agenda() == (ordered, tuple(version(e) for e in ordered))
    assert len(kept) == len(current) and set(kept) == set(current)


def test_a_signature_is_the_digest_of_values():
    """Equal values sign alike, in any process; a changed value changes the signature; an
    object shown by its address cannot be signed (its signature would never repeat)."""
    day = dt.date(2026, 3, 1)
    assert signed("a.html", ("x.md", "d1"), day) == signed("a.html", ("x.md", "d1"), day)
    assert signed("a.html", ("x.md", "d1"), day) != signed("a.html", ("x.md", "d2"), day)
    assert len(signed("a.html")) == 16
    with pytest.raises(TypeError, match="cannot be signed"):
        signed("a.html", object())


def test_a_plan_finds_the_outputs_of_a_listings_years_without_the_others():
    tag = ListingKey("tag", "hydrogene")

    def spec(path: str, listing: ListingKey | None, year: int | None = None) -> Spec:
        return Spec(path, "archive" if year else "front", listing, signed(path), print, year)

    specs = [
        spec("tags/hydrogene/index.html", tag),
        spec("tags/hydrogene/archives/2024/index.html", tag, 2024),
        spec("tags/hydrogene/archives/2024/2/index.html", tag, 2024),
        spec("tags/hydrogene/archives/2025/index.html", tag, 2025),
        spec("sitemap.xml", None),
    ]
    plan = Plan({}, {s.path: s for s in specs})
    paths = lambda *args: sorted(s.path for s in plan.specs_of(*args))  # noqa: E731
    assert paths(tag) == sorted(s.path for s in specs[:4])
    assert paths(tag, {2024}) == sorted(s.path for s in specs[:3])
    assert paths(tag, ()) == ["tags/hydrogene/index.html"]
    assert paths(None) == ["sitemap.xml"]
    plan.replace(
        ["tags/hydrogene/archives/2024/2/index.html", "tags/hydrogene/archives/2024/index.html"],
        {
            "tags/hydrogene/archives/2026/index.html": spec(
                "tags/hydrogene/archives/2026/index.html", tag, 2026
            )
        },
    )
    assert paths(tag, {2024, 2026}) == [
        "tags/hydrogene/archives/2026/index.html",
        "tags/hydrogene/index.html",
    ]
    assert 2024 not in plan.paths[tag]  # an emptied year leaves no trace
    assert Plan({}, dict(plan.specs)).paths == plan.paths  # as a plan made from scratch
