"""The registry of social networks, and the base class each network module subclasses.

One module per network lives in :mod:`syndication.networks` and registers its class::

    @register
    class Mastodon(Network):
        name = "mastodon"
        max_length = 500
        ...

Importing :mod:`syndication.networks` loads them all; ``registry["mastodon"]`` is the class,
``registry.get_or_error(name)`` says which names exist when one does not.

YouTube is deliberately absent: the YouTube Data API v3 has no endpoint that creates a community
post, so a channel can only be linked from the site, never posted to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from syndication.errors import PollRefused
from syndication.models import Poll, Post, Segment
from syndication.text import grapheme_len, join_text, short_display

if TYPE_CHECKING:
    from syndication.conversations import Message
    from syndication.http import Client


@dataclass(frozen=True)
class PollLimits:
    """What a network's API accepts in a poll: options (at least 2), their length, and how
    long it stays open, in seconds: anything from ``min_seconds`` to ``max_seconds``, or only
    one of ``durations`` when the API names its durations (LinkedIn). ``question_length``:
    the poll carries its own question of 1 to that many characters (0: the text asks it)."""

    max_options: int
    option_length: int
    min_seconds: int
    max_seconds: int
    durations: tuple[int, ...] = ()
    question_length: int = 0


class Network:
    """A social network: its limits, how it counts text, and the body of the call that posts.

    To add a network, subclass this in a module of :mod:`syndication.networks`, decorate it with
    ``@register`` and override:

    * the class attributes below, which declare limits and capabilities (read by the composer,
      the admin and the docs; an instance may override them, e.g. a Mastodon server's own limit:
      ``Mastodon(max_length=1000)``);
    * :meth:`measure` when the network counts characters its own way (the default counts
      graphemes, links weighing ``url_length`` when set);
    * :meth:`render` when the text sent differs from the text shown (LinkedIn escapes it);
    * :meth:`request_body`, the JSON or form body of the call that creates the post;
    * :meth:`check_item` to refuse items the network cannot take (raise ``NotSyndicable``);
    * ``client_class``, the :class:`syndication.http.Client` subclass that talks to the API;
    * ``pulls``, ``actions`` and ``conversation_gaps`` for the conversations
      (:mod:`syndication.conversations`), and :meth:`reply_text` when an answer needs more than
      its text (Mastodon names the person answered).
    """

    #: Registry key; also the ``utm_source`` of links posted there.
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    #: Maximum text length, as :meth:`measure` counts it.
    max_length: int = 0
    #: Maximum size of the text in UTF-8 bytes, when the network has one.
    max_bytes: int | None = None
    #: What a link weighs in the count (X and Mastodon: 23); None: its own length.
    url_length: int | None = None
    #: How many hashtags the composer adds at most.
    max_hashtags: int = 3
    #: Hard limit on hashtags in a post (Instagram: 30), checked on editors' texts too.
    hashtag_limit: int | None = None
    #: "full": the URL is written in the text; "short": a shortened text carries a link facet;
    #: "none": the link goes in a separate field (card or ``link`` parameter).
    link_in_text: ClassVar[str] = "full"
    #: Whether the link in the text can be clicked (not on Instagram).
    link_clickable: ClassVar[bool] = True
    #: Whether the post carries a link card the composer fills (title, description, image).
    card: ClassVar[bool] = False
    #: Whether an item without image cannot be posted (Instagram).
    requires_image: ClassVar[bool] = False
    #: Whether expired access tokens can be refreshed without a person.
    token_refresh: ClassVar[bool] = False
    #: What a poll may hold when the API creates polls with a post (None: no polls).
    poll_limits: ClassVar[PollLimits | None] = None
    #: Whether ``@handle`` in a text must be sent as a mention facet (Bluesky): plain text
    #: otherwise, which the network reads itself (Mastodon, X).
    mention_facets: ClassVar[bool] = False
    #: The call that creates a post, for humans and the CLI: "POST /2/tweets".
    create_endpoint: ClassVar[str] = ""
    client_class: ClassVar[type[Client] | None] = None

    # -- conversations -------------------------------------------------------------------------

    #: Kinds of message ``fetch_conversations`` pulls: "reply", "comment", "mention".
    pulls: ClassVar[frozenset[str]] = frozenset()
    #: What can be done to a message through the API: "reply", "like", "hide".
    actions: ClassVar[frozenset[str]] = frozenset()
    #: The calls that pull them, for humans: "GET /api/v1/notifications?types[]=mention".
    pull_endpoints: ClassVar[str] = ""
    #: What the network's API cannot give or do, in plain words (the README's table).
    conversation_gaps: ClassVar[tuple[str, ...]] = ()
    #: The limit of an answer, as :meth:`measure` counts it, when it is not ``max_length``
    #: (LinkedIn comments: 1,250 characters).
    reply_max_length: int | None = None

    def __init__(self, **overrides: Any):
        for key, value in overrides.items():
            if (
                key.startswith("_")
                or not hasattr(type(self), key)
                or callable(getattr(type(self), key))
            ):
                raise TypeError(f"{type(self).__name__} has no setting {key!r}.")
            setattr(self, key, value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} max_length={self.max_length}>"

    # -- counting ------------------------------------------------------------------------------

    def measure(self, segments: Sequence[Segment]) -> int:
        """The length of the text as the network counts it."""
        total = 0
        for seg in segments:
            n = grapheme_len(seg.text)
            if seg.kind == "link" and self.url_length is not None:
                # The item's own link is always recognised as a link; a URL typed in the text
                # might not be (the network's URL pattern differs from ours at the edges), so it
                # counts as whichever is longer.
                n = self.url_length if seg.own else max(n, self.url_length)
            total += n
        return total

    def fits(self, segments: Sequence[Segment]) -> bool:
        if (
            self.max_bytes is not None
            and len(self.render(segments).encode("utf-8")) > self.max_bytes
        ):
            return False
        return 0 < self.measure(segments) <= self.max_length

    def fits_reply(self, segments: Sequence[Segment]) -> bool:
        """Whether an answer fits: as a post does, within ``reply_max_length`` when set."""
        if self.reply_max_length is None:
            return self.fits(segments)
        if (
            self.max_bytes is not None
            and len(self.render(segments).encode("utf-8")) > self.max_bytes
        ):
            return False
        return 0 < self.measure(segments) <= self.reply_max_length

    def render(self, segments: Sequence[Segment]) -> str:
        """The text as sent to the network."""
        return join_text(segments)

    def link_segment(self, link: str) -> Segment | None:
        """How the item's link appears in the text (None when it does not)."""
        if self.link_in_text == "full":
            return Segment(link, "link", link, own=True)
        if self.link_in_text == "short":
            return Segment(short_display(link), "link", link, own=True)
        return None

    def check_item(self, item: Any) -> None:
        """Raise :class:`syndication.errors.NotSyndicable` if ``item`` cannot go to this network."""

    def can(self, action: str) -> bool:
        """Whether the network lets an app do ``action``: "reply", "like", "hide" to a
        message, or post a "poll"."""
        if action == "poll":
            return self.poll_limits is not None
        return action in self.actions

    def check_poll(self, poll: Poll) -> None:
        """Raise :class:`PollRefused` when this network cannot take ``poll``."""
        limits = self.poll_limits
        if limits is None:
            raise PollRefused(
                f"{self.label} cannot take a poll through its API: post the question without "
                "its poll there, or leave the network out.",
                network=self.name,
            )
        if not 2 <= len(poll.options) <= limits.max_options:
            raise PollRefused(
                f"A {self.label} poll takes 2 to {limits.max_options} options; this one has "
                f"{len(poll.options)}.",
                network=self.name,
                reason="options",
            )
        for option in poll.options:
            if not option.strip() or len(option) > limits.option_length:
                raise PollRefused(
                    f"A {self.label} poll option takes 1 to {limits.option_length} characters: "
                    f"shorten « {option} ».",
                    network=self.name,
                    reason="option_length",
                )
        if limits.question_length and not 0 < len(poll.question.strip()) <= limits.question_length:
            raise PollRefused(
                f"A {self.label} poll asks its question in 1 to {limits.question_length} "
                f"characters; this one has {len(poll.question.strip())}.",
                network=self.name,
                reason="question",
            )
        if limits.durations and poll.seconds not in limits.durations:
            hours = ", ".join(str(d // 3600) for d in limits.durations)
            raise PollRefused(
                f"A {self.label} poll stays open one of {hours} hours; this one "
                f"{poll.seconds // 60} minutes.",
                network=self.name,
                reason="duration",
            )
        if not limits.min_seconds <= poll.seconds <= limits.max_seconds:
            raise PollRefused(
                f"A {self.label} poll stays open {limits.min_seconds // 60} minutes to "
                f"{limits.max_seconds // 3600} hours; this one {poll.seconds // 60} minutes.",
                network=self.name,
                reason="duration",
            )

    def attach_poll(self, post: Post, poll: Poll) -> None:
        """Put ``poll`` (already checked) on ``post``. Override when a poll changes the rest
        of the post (LinkedIn: the poll takes the place of the link card)."""
        post.poll = poll

    def reply_text(self, message: Message, text: str) -> str:
        """The text sent to answer ``message`` with ``text`` (counted against the limit)."""
        return text

    def request_body(self, post: Post, account: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The body of the call that creates ``post``. With ``account=None`` (dry run), the
        account-specific fields hold placeholders such as ``"<account DID>"``."""
        raise NotImplementedError(f"{type(self).__name__} must define request_body().")

    def client(self, credentials: Mapping[str, Any], **kwargs: Any) -> Client:
        """A client posting with ``credentials`` (see the client class for the keys it reads)."""
        if self.client_class is None:
            raise NotImplementedError(f"{type(self).__name__} has no client_class.")
        return self.client_class(credentials, network=self, **kwargs)


class NetworkRegistry(dict[str, type[Network]]):
    """Network classes by name, in registration order."""

    def register(self, cls: type[Network]) -> type[Network]:
        """Class decorator adding a :class:`Network` subclass to the registry."""
        if not cls.name:
            raise ValueError(f"{cls.__name__} needs a 'name' class attribute to be registered.")
        if cls.name in self:
            raise ValueError(f"Network {cls.name!r} is registered twice.")
        self[cls.name] = cls
        return cls

    def get_or_error(self, name: str) -> type[Network]:
        try:
            return self[name]
        except KeyError:
            raise KeyError(f"Unknown network {name!r}: use one of {', '.join(self)}.") from None

    def create(self, name: str, **overrides: Any) -> Network:
        """An instance of the network called ``name``, with ``overrides`` of its settings."""
        return self.get_or_error(name)(**overrides)


registry = NetworkRegistry()
register: Callable[[type[Network]], type[Network]] = registry.register
