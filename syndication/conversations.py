"""Listening and answering: the replies, comments and mentions of the networks in one vocabulary.

Every client can pull what was said to the association since the last time, and answer it::

    messages, cursor = client.fetch_conversations(cursor, posts=our_remote_ids)
    reply = compose_reply(messages[0], "Merci !", client.network, key="answer-17")
    engine.deliver(reply, client, account)       # the same engine and ledger as posts
    client.like(messages[0])                      # where the network allows it

* :class:`Message` is one reply, comment or mention, whatever the network calls it; ``post`` is
  the remote id of the association's post the conversation is under (empty for a mention
  elsewhere), ``parent`` what it answers, ``root`` the first post of its thread.
* ``fetch_conversations(since_cursor, posts=())`` returns the messages newer than the cursor
  (oldest first) and the new cursor, an opaque string to store as it is (``None`` the first
  time). Networks that have no notifications (LinkedIn, Facebook, Instagram) read the comments
  of the ``posts`` given. A pull that fails part of the way raises
  :class:`~syndication.errors.PartialPull` with what it read and where to go on from, so that
  a network failing often still gets through, a post or a page at a time.
* A :class:`Reply` goes through :class:`~syndication.delivery.DeliveryEngine` exactly as a post
  does: its ``item_key`` (``reply/<network>/<message id>/<key>``) is its line in the ledger, the
  intent is written before the call and ``client.find_reply`` looks for it before any retry.
* What a network cannot do is declared on its class (``pulls``, ``actions``,
  ``conversation_gaps``); doing it anyway, or being refused it by the app's access level or the
  token's scopes, raises :class:`~syndication.errors.CapabilityError`. :func:`pull_all` keeps
  such a refusal to its own network.

Deciding whether a message is a question is left to the caller.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from syndication.errors import (
    CapabilityError,
    OverrideTooLong,
    PartialPull,
    SyndicationError,
    TransientError,
)
from syndication.models import Segment
from syndication.text import clean, join_text, segments_of

if TYPE_CHECKING:
    from syndication.http import Client
    from syndication.registry import Network

# -- the vocabulary ------------------------------------------------------------------------------

REPLY = "reply"  #: an answer to one of the association's posts, or to a message under it
COMMENT = "comment"  #: a comment under a post (LinkedIn, Facebook, Instagram)
MENTION = "mention"  #: the account named in a post that is not under one of its posts
KINDS = (REPLY, COMMENT, MENTION)

#: What can be done to a message, as declared in ``Network.actions``.
ANSWER = "reply"
LIKE = "like"
HIDE = "hide"
ACTIONS = (ANSWER, LIKE, HIDE)


@dataclass(frozen=True)
class Message:
    """One reply, comment or mention, as the desk shows it.

    ``refs`` holds what a network needs besides the id to answer or like it (Bluesky: the
    ``cid`` of the message and the ``root_cid`` of its thread; LinkedIn: the ``object`` the
    comment is on).
    """

    network: str
    id: str
    kind: str
    text: str
    author_handle: str = ""
    author_name: str = ""
    author_id: str = ""
    created_at: dt.datetime | None = None
    #: The remote id of the association's post the conversation is under ("" when none).
    post: str = ""
    #: The remote id of what this message answers (a post, or another message).
    parent: str = ""
    #: The remote id of the first post of the thread.
    root: str = ""
    url: str = ""
    refs: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown kind {self.kind!r}: use one of {', '.join(KINDS)}.")

    @property
    def key(self) -> str:
        """The message's identity across networks: ``<network>:<id>``."""
        return f"{self.network}:{self.id}"


@dataclass(frozen=True)
class Conversation:
    """A thread: its root's remote id and its messages, oldest first."""

    root: str
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True)
class Reply:
    """An answer to ``message``, composed for its network (see :func:`compose_reply`).

    ``key`` tells two answers to the same message apart (the desk's id of the answer); the same
    key is the same answer, sent once whatever happens.
    """

    message: Message
    text: str
    segments: tuple[Segment, ...]
    length: int
    limit: int
    key: str = "1"

    @property
    def network(self) -> str:
        return self.message.network

    @property
    def item_key(self) -> str:
        """The answer's line in the ledger."""
        return f"reply/{self.message.network}/{self.message.id}/{self.key}"


def compose_reply(message: Message, text: str, network: Network, *, key: str = "1") -> Reply:
    """The answer ``text`` to ``message``, as ``network`` will receive it, counted as posts are
    (links weighing what the network makes them weigh, bytes where it limits them). Raises
    :class:`~syndication.errors.OverrideTooLong` saying by how much it is over, and
    :class:`~syndication.errors.CapabilityError` when the network cannot answer at all."""
    if not network.can(ANSWER):
        raise CapabilityError(
            f"{network.label} gives no way to answer a message through its API: answer it "
            f"on {network.label} itself.",
            network=network.name,
            capability=ANSWER,
        )
    body = network.reply_text(message, clean(text, single_line=False))
    if not body.strip():
        raise OverrideTooLong(
            "The answer is empty: write something before sending it.",
            network=network.name,
            length=0,
            limit=network.max_length,
        )
    segments = segments_of(body)
    length = network.measure(segments)
    limit = network.reply_max_length or network.max_length
    if not network.fits_reply(segments):
        label = network.label
        if length <= limit and network.max_bytes is not None:
            size = len(network.render(segments).encode("utf-8"))
            message_text = (
                f"The answer takes {size} bytes (emoji weigh several); {label} allows "
                f"{network.max_bytes}: shorten it or use fewer emoji."
            )
        else:
            message_text = (
                f"The answer is {length} characters long as {label} counts them; the limit is "
                f"{limit}: shorten it by {length - limit}."
            )
        raise OverrideTooLong(message_text, network=network.name, length=length, limit=limit)
    return Reply(
        message=message,
        text=join_text(segments),
        segments=tuple(segments),
        length=length,
        limit=limit,
        key=key,
    )


def capability_table(networks: Iterable[Network]) -> str:
    """The Markdown table of what each network gives and allows (the README shows it)."""
    yes = {True: "yes", False: "no"}
    plural = {REPLY: "replies", COMMENT: "comments", MENTION: "mentions"}
    lines = [
        "| network | pulled | read with | answer | like | hide | what it cannot give or do |",
        "|---|---|---|---|---|---|---|",
    ]
    for network in networks:
        pulled = ", ".join(plural[kind] for kind in KINDS if kind in network.pulls)
        lines.append(
            f"| {network.label} | {pulled} | {network.pull_endpoints} "
            f"| {yes[network.can(ANSWER)]} | {yes[network.can(LIKE)]} "
            f"| {yes[network.can(HIDE)]} | {'; '.join(network.conversation_gaps)} |"
        )
    return "\n".join(lines) + "\n"


# -- matching what was sent ----------------------------------------------------------------------

_TAGS = re.compile(r"<[^>]+>")
_ANCHORS = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
_MENTIONS = re.compile(r"(?<![\w/])@[\w.\-]+(?:@[\w.\-]+)?")
_URLS = re.compile(r"https?://\S+")


def plain_text(value: str) -> str:
    """A message's text without its HTML (Mastodon's ``content``): paragraphs become lines."""
    value = re.sub(r"<br\s*/?>|</p>\s*<p>", "\n", value or "")
    return html.unescape(_TAGS.sub("", value)).strip()


def text_matches(sent: str, found: str) -> bool:
    """Whether ``found`` (a text read back from a network) is the answer ``sent``: compared
    without mentions (networks add or shorten them), links (X wraps them) or HTML, with the
    spaces and the case evened out."""

    def anchor(match: re.Match[str]) -> str:
        inner = plain_text(match.group(1))
        return inner if inner.startswith("#") else " "  # links and mentions, however shown

    def norm(text: str) -> str:
        text = _URLS.sub(" ", _MENTIONS.sub(" ", plain_text(_ANCHORS.sub(anchor, text))))
        return " ".join(text.split()).casefold()

    return bool(norm(sent)) and norm(sent) == norm(found)


# -- incremental reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class Watermark:
    """How far a stream of messages was read: the newest time seen, and the ids seen with their
    times back to ``lookback`` before it, so that reading again from ``time - lookback`` returns
    exactly what was not returned yet: several messages share a second, and a network that lists
    an entry later than its time says (an index catching up) still gets it read within the
    look-back."""

    time: str = ""
    seen: frozenset[tuple[str, str]] = frozenset()  # (id, its time)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(key for key, _stamp in self.seen)

    def floor(self, lookback: dt.timedelta = dt.timedelta(0)) -> str:
        """The oldest time a new entry may have: nothing older is read again."""
        return shifted(self.time, -lookback) if self.time and lookback else self.time

    def fresh(
        self,
        entries: Iterable[Any],
        when: Callable[[Any], str],
        ident: Callable[[Any], str],
        lookback: dt.timedelta = dt.timedelta(0),
    ) -> tuple[list[Any], Watermark]:
        """The entries not returned yet (by ``when``, an ISO 8601 UTC time, no older than the
        mark's time less ``lookback``, and by id), each once, and the mark moved past them."""
        out: list[Any] = []
        floor, seen = self.floor(lookback), dict(self.seen)
        newest = self.time
        for entry in entries:
            stamp, key = normal_time(when(entry)), ident(entry)
            if stamp < floor or key in seen:
                continue
            out.append(entry)
            seen[key] = stamp
            newest = max(newest, stamp)
        cut = shifted(newest, -lookback) if lookback else newest
        kept = frozenset((key, stamp) for key, stamp in seen.items() if stamp >= cut)
        return out, Watermark(newest, kept)

    def as_json(self) -> list[Any]:
        return [self.time, sorted([key, stamp] for key, stamp in self.seen)]

    @classmethod
    def from_json(cls, value: Any) -> Watermark:
        """A mark as :meth:`as_json` wrote it (or as it was written before the look-back: the
        ids seen at its time only)."""
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
            return cls()
        time = str(value[0])
        seen = set()
        for entry in value[1]:
            if isinstance(entry, list) and len(entry) == 2:
                seen.add((str(entry[0]), str(entry[1])))
            else:
                seen.add((str(entry), time))
        return cls(time, frozenset(seen))


def shifted(stamp: str, delta: dt.timedelta) -> str:
    """A time as :func:`normal_time` writes it, moved by ``delta``."""
    try:
        when = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return stamp  # not a time: compared as it is written
    return normal_time((when + delta).isoformat())


def normal_time(value: str) -> str:
    """An ISO 8601 time rewritten as UTC with microseconds, so that strings compare as times."""
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        try:
            when = dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def load_marks(cursor: str | None) -> dict[str, Watermark]:
    """A cursor of marks per stream (``{post id: mark}``), as :func:`dump_marks` wrote it."""
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        raise ValueError(
            f"This cursor was not written by this network's client ({cursor[:40]!r}): pass the "
            "cursor the last fetch_conversations returned, or None to read from the start."
        ) from None
    if not isinstance(data, dict):
        return {}
    return {str(k): Watermark.from_json(v) for k, v in data.items()}


def dump_marks(marks: Mapping[str, Watermark]) -> str:
    return json.dumps({k: v.as_json() for k, v in sorted(marks.items())}, separators=(",", ":"))


# -- pulling several networks --------------------------------------------------------------------


@dataclass(frozen=True)
class PullResult:
    """What one account's pull gave: the new messages and cursor, or the error that stopped it
    (the cursor is then the one given: nothing is skipped)."""

    messages: tuple[Message, ...] = ()
    cursor: str | None = None
    error: SyndicationError | None = None


def partial(exc: TransientError, messages: list[Message], cursor: str | None) -> PartialPull:
    """The :class:`PartialPull` of a pull that read ``messages`` (and got to ``cursor``)
    before ``exc`` stopped it. A pull that read nothing raises ``exc`` itself."""
    return PartialPull(
        f"{exc.message} ({len(messages)} messages read before it; the next pull goes on from "
        "there).",
        messages=messages,
        cursor=cursor,
        network=exc.network,
        status=exc.status,
        retry_after=exc.retry_after,
    )


def pull_posts(
    posts: Sequence[str],
    cursor: str | None,
    read: Callable[[str, Watermark], tuple[list[Message], Watermark]],
) -> tuple[list[Message], str]:
    """Pull post after post (``read(post, mark)`` gives its new messages and mark), keeping
    what was read when one fails (:class:`PartialPull`): the networks without notifications."""
    marks = load_marks(cursor)
    messages: list[Message] = []
    for done, post in enumerate(posts):
        try:
            found, marks[post] = read(post, marks.get(post, Watermark()))
        except PartialPull:
            raise
        except TransientError as exc:
            if not done:
                raise  # nothing read: the error as it is (a rate limit stays one)
            raise partial(exc, by_time(messages), dump_marks(marks)) from None
        messages += found
    return by_time(messages), dump_marks(marks)


def by_time(messages: list[Message]) -> list[Message]:
    """Oldest first (by creation time, then id)."""
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(messages, key=lambda m: (m.created_at or never, m.id))


def pull_all(
    clients: Mapping[str, Client],
    cursors: Mapping[str, str | None],
    posts: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, PullResult]:
    """Pull every account (``clients`` by the caller's account id) from its cursor. A network
    that refuses (a capability, a scope, a tier), fails or needs reconnecting gives a result
    with its ``error``; the others are pulled all the same."""
    results: dict[str, PullResult] = {}
    for account, client in clients.items():
        cursor = cursors.get(account)
        try:
            messages, new_cursor = client.fetch_conversations(
                cursor, posts=(posts or {}).get(account, ())
            )
        except PartialPull as exc:
            results[account] = PullResult(tuple(exc.messages), exc.cursor, error=exc)
            continue
        except SyndicationError as exc:
            results[account] = PullResult(cursor=cursor, error=exc)
            continue
        results[account] = PullResult(messages=tuple(messages), cursor=new_cursor)
    return results
