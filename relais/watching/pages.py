"""Pages without a feed: their main text, what changed in it, and the new links of a listing.

- :func:`main_text` extracts the page's main text with ``trafilatura`` (menus, footers and
  scripts left out), so that a change of an advertisement or of the HTML alone is no change;
- :func:`text_diff` compares two texts sentence by sentence (``difflib``), and word by word
  inside a sentence that was reworded: :meth:`PageChange.text` reads as a list of sentences
  added (``+``), removed (``-``) and changed (``~``, with ``[-old-]{+new+}`` around the words);
- :func:`page_links` lists the links of a page (absolute, normalised, with their text), and
  :func:`new_entries` turns those not seen before into :class:`~.entries.Entry`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml.etree import ParserError
from trafilatura.utils import decode_file

from .entries import Entry
from .errors import WatchError
from .links import normalise_link, story_key

MAX_TEXT = 200_000
MAX_LINK_TEXT = 300
#: A changed sentence is shown word by word when at least this much of it is kept.
REWORDED = 0.5
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_SPACES = re.compile(r"\s+")


def decode(body: bytes, charset: str | None = None) -> str:
    """A page's text: in the charset its server named, else as ``trafilatura`` guesses it."""
    if charset:
        try:
            return body.decode(charset, "replace")
        except LookupError:
            pass
    return decode_file(body)


def main_text(html: str, url: str = "") -> str:
    """The page's main text, paragraphs on their own lines; :class:`WatchError` when it has
    none."""
    text = trafilatura.extract(
        html, url=url or None, include_comments=False, include_tables=True, deduplicate=False
    ) or trafilatura.extract(
        html, url=url or None, include_comments=False, include_tables=True, favor_recall=True
    )
    if not text:
        _tree, text, _length = trafilatura.baseline(html)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in (text or "").splitlines())
    text = re.sub(r"\n{2,}", "\n", text).strip()
    if not text:
        raise WatchError("no_text", url)
    return text[:MAX_TEXT]


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences (paragraph ends are sentence ends)."""
    return [s for line in text.splitlines() for s in _SENTENCE_END.split(line.strip()) if s]


@dataclass(frozen=True)
class DiffPart:
    """One change: ``added`` (``new``), ``removed`` (``old``), or ``changed`` (both, and
    ``words``: the word-level operations, ``(kind, text)`` with kind ``same``, ``added`` or
    ``removed``)."""

    kind: str
    old: str = ""
    new: str = ""
    words: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        if self.kind == "added":
            return f"+ {self.new}"
        if self.kind == "removed":
            return f"- {self.old}"
        marked = {"same": "{}", "added": "{{+{}+}}", "removed": "[-{}-]"}
        return "~ " + " ".join(marked[kind].format(words) for kind, words in self.words)


@dataclass(frozen=True)
class PageChange:
    """What changed in a page's text, as :class:`DiffPart`; empty when nothing did."""

    parts: tuple[DiffPart, ...]

    def __bool__(self) -> bool:
        return bool(self.parts)

    @property
    def added(self) -> int:
        return sum(p.kind in ("added", "changed") for p in self.parts)

    @property
    def removed(self) -> int:
        return sum(p.kind in ("removed", "changed") for p in self.parts)

    def text(self) -> str:
        return "\n".join(part.text() for part in self.parts)


def text_diff(old: str, new: str) -> PageChange:
    """What changed from ``old`` to ``new`` (see the module's docstring)."""
    before, after = sentences(old), sentences(new)
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = before[i1:i2], after[j1:j2]
        while removed and added:
            old_sentence, new_sentence = removed.pop(0), added.pop(0)
            words = _word_diff(old_sentence, new_sentence)
            kept = sum(len(w.split()) for kind, w in words if kind == "same")
            if kept / max(len(old_sentence.split()), len(new_sentence.split())) >= REWORDED:
                parts.append(DiffPart("changed", old_sentence, new_sentence, words))
            else:
                parts.append(DiffPart("removed", old=old_sentence))
                parts.append(DiffPart("added", new=new_sentence))
        parts.extend(DiffPart("removed", old=s) for s in removed)
        parts.extend(DiffPart("added", new=s) for s in added)
    return PageChange(tuple(parts))


def _word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = old.split(), new.split()
    ops: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            ops.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("added", " ".join(b[j1:j2])))
    return tuple(ops)


# -- links of a listing page -------------------------------------------------------------------


def page_links(html: str, url: str, *, same_site: bool = True) -> list[tuple[str, str]]:
    """``(normalised link, text)`` of the page's links, in order, each once: web addresses
    only, resolved against the page's address (and its ``<base href>``), on the page's own
    site (``www.`` aside) unless ``same_site`` is false. A link's text is what it reads, else
    its ``title``, else its picture's ``alt``; links that say nothing are left out."""
    try:
        document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    base = url
    for href in document.xpath("//base/@href")[:1]:
        base = urljoin(url, str(href).strip())
    site = _site(url)
    found: dict[str, str] = {}
    for anchor in document.iter("a"):
        link = normalise_link(anchor.get("href") or "", base)
        if link is None or link in found or (same_site and _site(link) != site):
            continue
        text = _SPACES.sub(" ", anchor.text_content()).strip() or (anchor.get("title") or "")
        if not text:
            text = " ".join(str(alt) for alt in anchor.xpath(".//img/@alt")).strip()
        if text:
            found[link] = text[:MAX_LINK_TEXT]
    page = normalise_link(url)
    found.pop(page or "", None)
    return list(found.items())


def _site(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def new_entries(
    links: Iterable[tuple[str, str]], known: set[str], *, fetched_at: datetime, source_id: str
) -> list[Entry]:
    """The links whose story key is not in ``known``, as entries dated ``fetched_at`` (a
    listing gives no date: flagged ``missing``)."""
    entries = []
    for link, text in links:
        key = story_key(link)
        if key in known:
            continue
        entries.append(
            Entry(
                key=key,
                link=link,
                title=text,
                published=fetched_at,
                date_status="missing",
                source_id=source_id,
            )
        )
    return entries
