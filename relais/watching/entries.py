"""What the watching engine finds: :class:`Entry`, and :class:`StoryIndex`, which tells when an
entry is a story already seen from another source.

Two entries are the same story when their links have the same :func:`~.links.story_key`, or
when their titles are the same (:func:`~.links.title_key`: accents, case and punctuation
aside) and their dates are within :attr:`StoryIndex.window` of each other. Titles too short to
be specific ("Éditorial", "Agenda") never match on the title alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .links import title_key

#: How a date was obtained: given by the source, or the fetch time put in its place because
#: the source gave none, gave one that could not be read, or gave one in the future.
DATE_STATUSES = ("ok", "missing", "malformed", "future")
MIN_TITLE_WORDS = 3
MIN_TITLE_LENGTH = 15


@dataclass(frozen=True)
class Entry:
    """An article of a feed, or a new link on a watched listing page.

    ``key`` is the story key of ``link`` (the normalised address); ``published`` is always
    timezone-aware; when ``date_status`` is not ``"ok"`` it is the fetch time (see
    :data:`DATE_STATUSES`) and ``raw_date`` is what the source wrote, if anything.
    ``duplicate_of`` is the key of the story this entry repeats, when another source (or an
    earlier entry) had it first.
    """

    key: str
    link: str
    title: str
    published: datetime
    summary: str = ""
    date_status: str = "ok"
    raw_date: str = ""
    author: str = ""
    guid: str = ""
    source_id: str = ""
    duplicate_of: str | None = None

    @property
    def date_flagged(self) -> bool:
        return self.date_status != "ok"


@dataclass(frozen=True)
class Story:
    """What :class:`StoryIndex` remembers of an entry (the Django side may seed it with the
    entries it keeps)."""

    key: str
    title: str
    published: datetime


class StoryIndex:
    """Stories seen, by link and by title (see the module's docstring). Not thread-safe: the
    check cycle uses it from one thread, after the fetches."""

    def __init__(self, known: Iterable[Story] = (), *, window: timedelta = timedelta(days=3)):
        self.window = window
        self._keys: set[str] = set()
        self._titles: dict[str, list[tuple[datetime, str]]] = {}
        for story in known:
            self.add(story)

    def add(self, story: Story | Entry) -> None:
        self._keys.add(story.key)
        words = title_key(story.title)
        if _specific(words):
            self._titles.setdefault(words, []).append((story.published, story.key))

    def match(self, entry: Entry) -> str | None:
        """The key of the story ``entry`` repeats, or ``None`` if it is new."""
        if entry.key in self._keys:
            return entry.key
        for published, key in self._titles.get(title_key(entry.title), ()):
            if abs(published - entry.published) <= self.window:
                return key
        return None

    def mark(self, entry: Entry) -> Entry:
        """``entry`` with ``duplicate_of`` set when it repeats a story; remembered either way."""
        found = self.match(entry)
        self.add(entry)
        return replace(entry, duplicate_of=found) if found else entry


def _specific(words: str) -> bool:
    return len(words) >= MIN_TITLE_LENGTH and len(words.split()) >= MIN_TITLE_WORDS
