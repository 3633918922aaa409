"""The warm builder's model on disk, so that a worker that starts is ready in seconds.

After each publication the builder writes its model (every article's metadata and rendered
body, the plan of listings with each output's signature, the addresses, the index of links) as
one file next to the live trees, ``site/builds/model.pickle``: a header line (JSON) that says
what the model was built from, then a pickle. A worker that starts loads it instead of reading
every content file through Pelican again, but only when it matches what is there now:

- the format, Python's and Pelican's versions are those of the reader;
- the digest of the content, settings and code (``source``) and the publication
  (``generation``) are the live site's, and the content files' fingerprints are those found now;
- the address book is the one the model was saved with;
- the payload has the size and the checksum the header names (a file cut short or damaged).

Anything else is a :class:`SnapshotRefused` with its reason, and the builder takes the slow
path (the same model, read through Pelican): a snapshot is never trusted blindly.

The file is written under a temporary name and renamed, so a reader sees a whole snapshot or
the previous one. The outputs' render functions are not saved (they are closures): a loaded
plan is only compared with the next one, whose outputs are rendered by freshly made specs.

**Bodies stay on disk.** The articles' rendered HTML and Markdown source (most of a model's
size) are written after the pickle, as one block; a loaded article (:class:`LoadedArticle`, its
item a :class:`LoadedItem`) reads its body from there (``os.pread`` on the snapshot file kept
open, whose checksum was verified when it was loaded) each time something shows it, and keeps
nothing. A newer snapshot replaces the file by a rename: the open one stays readable. The cards
a listing renders for an article (a cache) are not saved, nor a listing's archive pages cut by
year (made again for the years a publication touches).

**Loaded articles are small.** What most articles share (:data:`SHARED_DEFAULTS`) and what
Pelican sets from their other attributes (:data:`DERIVED`) is left out of each one and comes
from the class; their dictionaries then have few enough distinct keys for Python to share one
table of keys between them (about 270 bytes an article instead of 800 to 1,600). Pelican
gives each article its own object of each term (section, tag, contributor): equal ones are
saved once.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import json
import os
import pickle
import re
import secrets
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pelican.contents import Article
from pelican.urlwrappers import URLWrapper

from relais.contentfile import SITE_TIMEZONE, ContentItem
from relais.pelican.calendar import event_ics_path
from relais.pelican.listings import Listing, Spec

FILENAME = "model.pickle"
MAGIC = b"RELAIS-MODEL\n"
FORMAT = 4
CHUNK = 1 << 20
#: The bodies of loaded snapshots: token -> (open file, where the bodies start).
_BODIES: dict[str, tuple[int, int]] = {}
#: Their files, kept open (a newer snapshot replaces them on disk, not here).
_OPEN: dict[str, Any] = {}
#: How many loaded models read the bodies of each snapshot (token -> count).
_LOADS: dict[str, int] = {}


class SnapshotRefused(Exception):
    """The snapshot does not describe the live site (or cannot be read): build the model the
    slow way."""


def _loaded_spec_render(generator: Any, writer: Any) -> None:
    raise RuntimeError(
        "An output planned before the worker started is compared with the new plan, never "
        "rendered: plan it again."
    )


def _reduce_spec(spec: Spec) -> tuple:
    return (
        Spec,
        (spec.path, spec.kind, spec.listing, spec.signature, _loaded_spec_render, spec.year),
    )


def _reduce_listing(listing: Listing) -> tuple:
    """A listing without its archive pages cut by year (a cache, made again for the years a
    publication touches: a copy of each item's place in every listing it belongs to)."""
    return (_new, (Listing,), {**vars(listing), "_chunks": {}})


#: What a snapshot must have been written by (read once: a forked writer imports nothing).
_VERSIONS = {
    "format": str(FORMAT),
    "python": sys.version.split()[0],
    "pelican": version("pelican"),
}


def versions() -> dict[str, str]:
    return dict(_VERSIONS)


def file_stamp(path: Path) -> list[int] | None:
    """What says a file changed (size, modification time, inode), or None when absent."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _read_body(ref: tuple[str, int, int]) -> str:
    token, offset, length = ref
    fd, base = _BODIES[token]
    return os.pread(fd, length, base + offset).decode("utf-8")


#: Values that most articles of a site have, kept once as attributes of :class:`LoadedArticle`
#: instead of in each loaded article's own dictionary (an article whose value differs keeps
#: its own). Fewer than about thirty distinct attribute names across the articles let Python
#: share one table of names between their dictionaries, which then hold only the values:
#: about 270 bytes an article instead of 800 to 1,600.
SHARED_DEFAULTS: dict[str, Any] = {
    "reader": "relais",
    "template": "article",
    "_status": "published",
    "date_format": "%Y-%m-%d",
    "timezone": SITE_TIMEZONE,
    "image_size": None,
    "image_enclosure": None,
    "social_image_source": None,
    "relais_links": (),
}


def _same(value: Any, other: Any) -> bool:
    """The same value, of the same type (``1`` is not ``True``, ``[]`` not ``()``)."""
    return value is other or (type(value) is type(other) and value == other)


def _is_shared_default(name: str, value: Any) -> bool:
    return name in SHARED_DEFAULTS and _same(value, SHARED_DEFAULTS[name])


def _source_path(article: Any) -> str:
    return os.path.join(article.settings["PATH"], article.relative_source_path)


#: Date formats that write names in the process's language: their text is kept, not derived.
_LOCALE_FORMAT = re.compile(r"%[aAbBcpxX]")


def _date_text(field: str, name: str) -> Callable[[Any], str]:
    """An article's date ``field`` as Pelican writes it (``locale_date``…)."""

    def derive(article: Any) -> str:
        if _LOCALE_FORMAT.search(article.date_format):
            raise AttributeError(name)
        return getattr(article, field).strftime(article.date_format)

    return derive


def _from_metadata(key: str, name: str) -> Callable[[Any], Any]:
    """The value of ``key`` in an article's metadata (attribute ``name``: none without it)."""

    def derive(article: Any) -> Any:
        try:
            return article.metadata[key]
        except KeyError:
            raise AttributeError(name) from None

    return derive


def _author(article: Any) -> Any:
    authors = article.__dict__.get("authors")
    if not authors:
        raise AttributeError("author")
    return authors[0]


def _in_default_lang(article: Any) -> bool:
    return article.lang == article.settings["DEFAULT_LANG"]


def _ics_url(article: Any) -> str:
    if article.relais.event is None:
        return ""
    return f"{article.settings['SITEURL']}/{event_ics_path(article)}"


#: Attributes that Pelican sets on each article from others (its file's full path, its dates
#: as text, its first contributor, its summary, its language and whether it is the site's,
#: its event's calendar file): a loaded article computes them when asked unless its own value
#: differs (kept then). With :data:`SHARED_DEFAULTS`, fewer than thirty distinct names are
#: left in the articles' dictionaries.
DERIVED: dict[str, Callable[[Any], Any]] = {
    "source_path": _source_path,
    "locale_date": _date_text("date", "locale_date"),
    "locale_modified": _date_text("modified", "locale_modified"),
    "author": _author,
    "_summary": _from_metadata("summary", "_summary"),
    "lang": _from_metadata("lang", "lang"),
    "in_default_lang": _in_default_lang,
    "ics_url": _ics_url,
}


def _is_derived(article: Any, name: str, value: Any) -> bool:
    derive = DERIVED.get(name)
    if derive is None:
        return False
    try:
        derived = derive(article)
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return _same(derived, value)


def _derived_attribute(name: str, derive: Callable[[Any], Any]) -> property:
    """An attribute of :class:`LoadedArticle` computed by ``derive`` unless the article has
    its own value."""

    def get(self: Any) -> Any:
        state = self.__dict__
        return state[name] if name in state else derive(self)

    def set_(self: Any, value: Any) -> None:
        self.__dict__[name] = value

    return property(get, set_, doc=f"``{name}``, computed unless the article has its own.")


class LoadedArticle(Article):
    """An article loaded from a snapshot: its rendered body is read from the snapshot when
    shown (see the module); the values of :data:`SHARED_DEFAULTS` that it shares with most
    articles are the class's."""

    @property
    def _content(self) -> str | None:
        state = self.__dict__
        if "_relais_content" in state:
            return state["_relais_content"]
        ref = state.get("_relais_content_ref")
        return None if ref is None else _read_body(ref)

    @_content.setter
    def _content(self, value: str | None) -> None:
        self.__dict__["_relais_content"] = value


for _name, _value in SHARED_DEFAULTS.items():
    setattr(LoadedArticle, _name, _value)
for _name, _derive in DERIVED.items():
    setattr(LoadedArticle, _name, _derived_attribute(_name, _derive))


class LoadedItem(ContentItem):
    """An item loaded from a snapshot: its Markdown body is read from the snapshot when
    needed."""

    @property
    def body(self) -> str:  # type: ignore[override]
        state = self.__dict__
        if "_relais_body" in state:
            return state["_relais_body"]
        ref = state.get("_relais_body_ref")
        return "" if ref is None else _read_body(ref)

    @body.setter
    def body(self, value: str) -> None:
        self.__dict__["_relais_body"] = value


def _new(cls: type) -> Any:
    """An object of ``cls`` without its ``__init__`` (its state follows in the pickle)."""
    return cls.__new__(cls)


def _shared(term: URLWrapper) -> URLWrapper:
    """The one object of a term that every article naming it shares once loaded."""
    return term


def _term_classes(cls: type = URLWrapper) -> list[type]:
    """Pelican's and Relais's kinds of terms (sections, tags, contributors, class years…)."""
    found = [cls]
    for sub in cls.__subclasses__():
        found += _term_classes(sub)
    return found


class _Pickler(pickle.Pickler):
    """Pickles a model with the bodies set aside (in ``self.bodies``)."""

    def __init__(self, file: io.BytesIO, token: str):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.token = token
        self.bodies = io.BytesIO()
        table = copyreg.dispatch_table.copy()
        table[Spec] = _reduce_spec
        table[Listing] = _reduce_listing
        for cls in (Article, LoadedArticle):
            table[cls] = self._reduce_article
        for cls in (ContentItem, LoadedItem):
            table[cls] = self._reduce_item
        for cls in _term_classes():
            table[cls] = self._reduce_term
        self.dispatch_table = table
        self.terms: dict[tuple, URLWrapper] = {}

    def _body_ref(self, text: str) -> tuple[str, int, int]:
        data = text.encode("utf-8")
        offset = self.bodies.tell()
        self.bodies.write(data)
        return (self.token, offset, len(data))

    def _reduce_article(self, article: Article) -> tuple:
        content = article._content
        state = {
            k: v
            for k, v in vars(article).items()
            if k not in ("_content", "_relais_content", "_relais_content_ref", "_relais_cards")
            and not _is_shared_default(k, v)
            and not _is_derived(article, k, v)
        }
        state["_relais_content_ref"] = None if content is None else self._body_ref(content)
        return (_new, (LoadedArticle,), state)

    def _reduce_term(self, term: URLWrapper) -> tuple:
        """Pelican gives each article its own object of each of its terms (10,000 articles of
        five sections hold 10,000 sections): equal ones are saved once and shared when
        loaded. Equal: same kind, same settings and the same state."""
        try:
            state = frozenset((k, v) for k, v in vars(term).items() if k != "settings")
            key = (type(term), id(getattr(term, "settings", None)), state)
        except TypeError:  # a state that cannot be compared: saved as it is
            return term.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        first = self.terms.setdefault(key, term)
        if first is term:
            return term.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return (_shared, (first,))

    def _reduce_item(self, item: ContentItem) -> tuple:
        body = item.body
        state = {
            k: v
            for k, v in vars(item).items()
            if k not in ("body", "_relais_body", "_relais_body_ref")
        }
        state["_relais_body_ref"] = self._body_ref(body)
        return (_new, (LoadedItem,), state)


def dumps(model: dict[str, Any]) -> tuple[bytes, bytes, str]:
    """The model's pickle, the block of its bodies, and the token that names the block."""
    buffer = io.BytesIO()
    token = secrets.token_hex(16)
    pickler = _Pickler(buffer, token)
    pickler.dump(model)
    return buffer.getvalue(), pickler.bodies.getvalue(), token


def write(path: Path, header: dict[str, Any], model: dict[str, Any]) -> None:
    """Write the snapshot atomically (a temporary file renamed over the previous one)."""
    payload, bodies, token = dumps(model)
    header = {
        **header,
        **versions(),
        "size": len(payload),
        "blake2b": hashlib.blake2b(payload).hexdigest(),
        "bodies": len(bodies),
        "bodies_blake2b": hashlib.blake2b(bodies).hexdigest(),
        "token": token,
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC)
            fh.write(json.dumps(header, sort_keys=True).encode() + b"\n")
            fh.write(payload)
            fh.write(bodies)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def read_header(path: Path) -> dict[str, Any]:
    """The header of the snapshot at ``path`` (what it was made from)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise SnapshotRefused(f"{path.name} is not a model snapshot")
            return json.loads(fh.readline())
    except FileNotFoundError:
        raise SnapshotRefused("no snapshot") from None
    except (OSError, ValueError) as exc:
        raise SnapshotRefused(f"unreadable header: {exc}") from exc


def load(path: Path, expected: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The model saved in ``path`` and the token of its bodies, when its header has every value
    of ``expected`` (and this reader's versions) and its payload and bodies are whole; else
    :class:`SnapshotRefused`. The file stays open for the bodies of the loaded articles, until
    :func:`close` says the model is no longer used."""
    try:
        fh = open(path, "rb")  # kept open for the bodies of the loaded articles
    except FileNotFoundError:
        raise SnapshotRefused("no snapshot") from None
    except OSError as exc:
        raise SnapshotRefused(f"unreadable: {exc}") from exc
    try:
        model, token, base = _load(fh, path, expected)
    except BaseException:
        fh.close()
        raise
    # the same snapshot loaded again (a builder adopting its site again, another builder of
    # the site): one open file for its bodies, closed when the last model reading it goes
    _LOADS[token] = _LOADS.get(token, 0) + 1
    if token in _OPEN:
        fh.close()
    else:
        _OPEN[token] = fh
        _BODIES[token] = (fh.fileno(), base)
    return model, token


def close(token: str | None) -> None:
    """A loaded model is no longer used (replaced, or its builder let go): the file of its
    bodies is closed once no other model loaded from the same snapshot reads it."""
    if not token or token not in _LOADS:
        return
    _LOADS[token] -= 1
    if _LOADS[token] > 0:
        return
    del _LOADS[token]
    _BODIES.pop(token, None)
    fh = _OPEN.pop(token, None)
    if fh is not None:
        fh.close()


def _load(fh: Any, path: Path, expected: dict[str, Any]) -> tuple[dict[str, Any], str, int]:
    try:
        if fh.read(len(MAGIC)) != MAGIC:
            raise SnapshotRefused(f"{path.name} is not a model snapshot")
        header = json.loads(fh.readline())
        if not isinstance(header, dict):
            raise SnapshotRefused("unreadable header")
        for key, value in {**versions(), **expected}.items():
            if header.get(key) != value:
                raise SnapshotRefused(f"made for another {key}")
        size, bodies = header.get("size"), header.get("bodies")
        if not isinstance(size, int) or not isinstance(bodies, int):
            raise SnapshotRefused("unreadable header")
        # the pickle is checked first, by chunks, then read again from the page cache: never
        # a second copy of it in memory
        start = fh.tell()
        digest, read = hashlib.blake2b(), 0
        while read < size and (chunk := fh.read(min(CHUNK, size - read))):
            digest.update(chunk)
            read += len(chunk)
        if read != size:
            raise SnapshotRefused(f"cut short ({read} bytes of {size})")
        if digest.hexdigest() != header.get("blake2b"):
            raise SnapshotRefused("damaged (its checksum differs)")
        base = fh.tell()
        digest, read = hashlib.blake2b(), 0
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            read += len(chunk)
        if read != bodies or digest.hexdigest() != header.get("bodies_blake2b"):
            raise SnapshotRefused("damaged bodies (cut short, or their checksum differs)")
    except (OSError, ValueError) as exc:
        raise SnapshotRefused(f"unreadable: {exc}") from exc
    try:
        # only the builder writes this folder (it holds the live site itself): a file there is
        # as trusted as the pages it serves
        fh.seek(start)
        model = pickle.load(fh)  # noqa: S301
    except Exception as exc:  # a payload with the right checksum that this code cannot read
        raise SnapshotRefused(f"unreadable model: {type(exc).__name__}: {exc}") from exc
    if not isinstance(model, dict):
        raise SnapshotRefused("unreadable model")
    return model, str(header.get("token")), base
