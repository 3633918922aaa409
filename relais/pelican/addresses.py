"""The pages at the addresses no item holds any more, and the redirect files for web servers.

:mod:`relais.addresses` decides what each old address becomes (moved to an item's new address,
or gone); this plugin turns that into outputs, planned like the listings so that a full build
and an incremental update write the same bytes:

- ``<old address>/index.html``: a redirect page (``moved.html``: the new address in a canonical
  link, a ``refresh`` without JavaScript, ``location.replace`` keeping the query string, so that
  the ``utm_*`` tags of a link posted on a network still reach the counter and the sign-up page)
  or a "retiré" page (``gone.html``: the item's title, its section, the home page);
- ``_redirects`` (Netlify, Cloudflare Pages and hosts of that family), ``_redirects.map`` (an
  nginx ``map``) and ``.htaccess`` (Apache): the same moves as permanent redirects, for a web
  server that can answer with a real ``301`` (see the README, "Addresses that never break").

:class:`AddressPlan` keeps the live addresses by identity key and the resolved old ones
between updates: an update looks only at the addresses its items touch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pelican import signals

from relais.addresses import MOVED, AddressBook, Entry, identity_keys, resolve
from relais.pelican.listings import ListingKey, Spec, file_spec, signed

ADDRESS_LISTING = ListingKey("addresses")
MAP_FILES = ("_redirects", "_redirects.map", ".htaccess")


def entry_of_article(article: Any) -> Entry:
    item = article.relais
    return Entry(
        path=getattr(article, "relais_url", None) or article.url,
        title=item.title,
        section=item.section,
        keys=identity_keys(item.title, item.date.isoformat(), item.body, item.cms_id),
    )


def entry_of_page(page: Any) -> Entry:
    return Entry(
        path=page.url,
        title=page.title,
        section="",
        keys=identity_keys(page.title, "", page._content or ""),
    )


def _output(path: str) -> str:
    return f"{path}index.html"


@dataclass
class AddressPlan:
    """Live addresses, what the old ones became, their outputs, and the book's pending
    changes (recorded by the builder just before the publication that shows them)."""

    book: AddressBook
    live: dict[str, Entry] = field(default_factory=dict)
    by_key: dict[str, set[str]] = field(default_factory=dict)
    resolved: dict[str, Entry] = field(default_factory=dict)
    specs: dict[str, Spec] = field(default_factory=dict)
    pending: dict[str, Entry] = field(default_factory=dict)

    # -- a whole site ----------------------------------------------------------------------

    @classmethod
    def compute(
        cls,
        articles: Iterable[Any],
        pages: Iterable[Any],
        settings: Mapping[str, Any],
        occupied: Callable[[str], bool],
    ) -> AddressPlan:
        """The plan of a full build: every address of the book against every item."""
        plan = cls(AddressBook(settings.get("RELAIS_ADDRESS_BOOK")))
        known = plan.book.entries()
        for entry in [*map(entry_of_article, articles), *map(entry_of_page, pages)]:
            plan._add_live(entry)
            if known.get(entry.path) != entry:
                plan.pending[entry.path] = entry
        old = {p: e for p, e in known.items() if p not in plan.live and not occupied(_output(p))}
        for path, entry in resolve(old, plan.live, plan.by_key, lookup=known).items():
            plan.resolved[path] = entry
            if known.get(path) != entry:
                plan.pending[path] = entry
        plan.specs = {s.path: s for s in plan._all_specs(settings)}
        return plan

    # -- one update ------------------------------------------------------------------------

    def update(
        self,
        old_articles: Iterable[Any],
        new_articles: Iterable[Any],
        settings: Mapping[str, Any],
        occupied: Callable[[str], bool],
    ) -> tuple[list[Spec], set[str]]:
        """Take an update's changed articles into account; returns the specs to render and
        the outputs to delete."""
        before = {e.path: e for e in map(entry_of_article, old_articles)}
        after = {e.path: e for e in map(entry_of_article, new_articles)}
        for path in before:
            self._remove_live(path)
        for path, entry in after.items():
            self._add_live(entry)
            if before.get(path) != entry:
                self.pending[path] = entry
        touched_keys = {k for e in (*before.values(), *after.values()) for k in e.keys}
        touched_paths = before.keys() | after.keys()
        affected = {p for p in before if p not in self.live}
        affected |= {
            p
            for p, e in self.resolved.items()
            if p in self.live or e.target in touched_paths or touched_keys & set(e.keys)
        }
        to_render: list[Spec] = []
        old: dict[str, Entry] = {}
        for path in sorted(affected):
            previous = self.resolved.pop(path, None)
            if path in self.live or occupied(_output(path)):
                self.specs.pop(_output(path), None)
                continue
            old[path] = previous or before[path]
        for path, entry in resolve(old, self.live, self.by_key, lookup=self.resolved).items():
            self.resolved[path] = entry
            if old[path] != entry:
                self.pending[path] = entry
            spec = self._page_spec(entry)
            known = self.specs.get(spec.path)
            if known is None or known.signature != spec.signature:
                to_render.append(spec)
            self.specs[spec.path] = spec
        to_delete: set[str] = set()
        new_maps = {s.path: s for s in self._map_specs(settings)}
        for name in MAP_FILES:
            known, spec = self.specs.pop(name, None), new_maps.get(name)
            if spec is not None:
                self.specs[name] = spec
                if known is None or known.signature != spec.signature:
                    to_render.append(spec)
            elif known is not None:
                to_delete.add(name)
        return to_render, to_delete

    def record(self) -> None:
        """Write the pending changes into the book (before the publication that shows them)."""
        if self.pending:
            self.book.record(sorted(self.pending.values(), key=lambda e: e.path))
            self.pending = {}

    # -- helpers ---------------------------------------------------------------------------

    def _add_live(self, entry: Entry) -> None:
        self.live[entry.path] = entry
        for key in entry.keys:
            self.by_key.setdefault(key, set()).add(entry.path)

    def _remove_live(self, path: str) -> None:
        entry = self.live.pop(path, None)
        for key in entry.keys if entry else ():
            holders = self.by_key.get(key)
            if holders is not None:
                holders.discard(path)
                if not holders:
                    del self.by_key[key]

    def _all_specs(self, settings: Mapping[str, Any]) -> list[Spec]:
        return [
            *(self._page_spec(e) for _p, e in sorted(self.resolved.items())),
            *self._map_specs(settings),
        ]

    def _page_spec(self, entry: Entry) -> Spec:
        template = "moved" if entry.state == MOVED else "gone"
        path = _output(entry.path)
        signature = signed(path, entry.state, entry.target, entry.title, entry.section)

        def render(generator: Any, writer: Any) -> None:
            writer.write_file(
                path,
                generator.get_template(template),
                generator.context,
                relative_urls=generator.settings["RELATIVE_URLS"],
                url=entry.path,
                address=entry,
                page_name=entry.path.rstrip("/"),
            )

        return Spec(path, f"address-{entry.state}", ADDRESS_LISTING, signature, render)

    def _map_specs(self, settings: Mapping[str, Any]) -> list[Spec]:
        moves = tuple(
            (f"/{p}", f"/{e.target}") for p, e in sorted(self.resolved.items()) if e.state == MOVED
        )
        if not moves:
            return []
        siteurl = str(settings.get("SITEURL", "")).rstrip("/")
        texts = {
            "_redirects": "".join(f"{old} {new} 301\n" for old, new in moves),
            "_redirects.map": "".join(f"{old} {new};\n" for old, new in moves),
            ".htaccess": "".join(
                f"RedirectMatch 301 ^{_regex(old)}(index\\.html)?$ {siteurl}{new}\n"
                for old, new in moves
            ),
        }
        header = {
            "_redirects": "# Moved items (Relais): old address, new address, status\n",
            "_redirects.map": "# Moved items (Relais), for nginx: map $uri $relais_moved "
            "{ include /path/to/_redirects.map; }\n",
            ".htaccess": "# Moved items (Relais): permanent redirects for Apache (mod_alias)\n",
        }
        return [
            file_spec(
                name,
                (name, moves, siteurl),
                lambda text=header[name] + texts[name]: text.encode("utf-8"),
                ADDRESS_LISTING,
            )
            for name in MAP_FILES
        ]


def _regex(path: str) -> str:
    """An address as a regular expression (slugs are letters, digits and hyphens)."""
    return path.replace(".", "\\.")


def write_addresses(generator: Any, writer: Any) -> None:
    """Pelican's ``article_writer_finalized`` (after the listings): plan and write the pages of
    the old addresses and the redirect files."""
    plan = generator.relais_plan
    articles = {getattr(a, "relais_save_as", None) or a.save_as for a in generator.articles}
    pages = list(generator.context.get("pages", []))
    taken = articles | {p.save_as for p in pages} | set(plan.specs)
    addresses = AddressPlan.compute(
        generator.articles, pages, generator.settings, taken.__contains__
    )
    generator.relais_addresses = addresses
    for spec in addresses.specs.values():
        spec.render(generator, writer)


def register() -> None:
    signals.article_writer_finalized.connect(write_addresses)
