"""The excerpt composer: from an item to the post each network receives, within its limits.

Declarative, in the manner of Django's syndication ``Feed``: every piece of the post comes from
an ``item_*`` hook that may be a plain attribute, a method without argument, a method taking the
item, or a method taking the item and the network. Subclass :class:`Composer` and override the
hooks to change what is said; the fitting (what to drop or shorten first) stays the same::

    class AlumniComposer(Composer):
        class_year_hashtag = "Promo{year}"

        def item_summary(self, item):
            return item.summary or first_words(item.body, 40)

Fitting a post to a network, first step that fits wins:

1. everything: title, summary, link, up to ``network.max_hashtags`` hashtags;
2. fewer hashtags, down to ``min_hashtags``;
3. the summary shortened at a word boundary (with "…"), keeping ``min_hashtags`` hashtags;
4. the same without hashtags;
5. the title shortened, no summary, no hashtags;
6. the link alone.

Nothing is ever cut inside a word or a grapheme cluster.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import regex

from syndication.errors import ComposeError, NotSyndicable, OverrideTooLong
from syndication.models import Card, ImageRef, Item, Poll, Post, Segment
from syndication.registry import Network
from syndication.text import (
    clean,
    first_words,
    grapheme_len,
    hashtag,
    join_text,
    same_item,
    segments_of,
    shorten,
    unique_hashtags,
    with_utm,
)


class Composer:
    """Turns an :class:`~syndication.models.Item` into a :class:`~syndication.models.Post`.

    Override the ``item_*`` hooks (attribute, method(), method(item) or method(item, network))
    to change the title, summary, hashtags, link or image; override the class attributes to tune
    the fitting. :meth:`compose` is the only method callers need.
    """

    #: Hashtag made from a class year; ``None`` to add none.
    class_year_hashtag: str | None = "Promo{year}"
    #: Words of the body used when the item has no summary.
    body_words: int = 60
    #: Hashtags kept while the summary is being shortened.
    min_hashtags: int = 2
    #: Maximum graphemes of a card's description.
    card_description_graphemes: int = 300
    #: Between the title, the summary, the link and the hashtags.
    separator: str = "\n\n"

    def item_title(self, item: Item) -> str:
        return item.title

    def item_summary(self, item: Item) -> str:
        return item.summary or first_words(item.body, self.body_words)

    def item_hashtags(self, item: Item) -> list[str]:
        names = [hashtag(tag) for tag in item.tags]
        if self.class_year_hashtag:
            names += [hashtag(self.class_year_hashtag.format(year=y)) for y in item.class_years]
        return unique_hashtags(names)

    def item_link(self, item: Item, network: Network) -> str:
        if not item.url:
            raise ComposeError(
                f"{item.key}: the item has no canonical URL; give it one before sharing it."
            )
        return with_utm(item.url, source=network.name, campaign=item.section, content=item.slug)

    def item_image(self, item: Item) -> ImageRef | None:
        return item.image

    # -- the machinery -------------------------------------------------------------------------

    def _get(self, name: str, item: Item, network: Network) -> Any:
        """The value of hook ``name``, however it is declared (as Django's Feed does)."""
        attr = getattr(self, name)
        if not callable(attr):
            return attr
        n = len(inspect.signature(attr).parameters)
        if n == 0:
            return attr()
        if n == 1:
            return attr(item)
        return attr(item, network)

    def compose(self, item: Item, network: Network, override: str | None = None) -> Post:
        """The post for ``network``. ``override`` is the editor's own text for that network: it
        is checked against the limit (:class:`OverrideTooLong` says by how much it is over),
        the link (with UTM) is added unless the text already has it, and links and hashtags in
        it become facets. Raises :class:`NotSyndicable` when the network cannot take the item."""
        network.check_item(item)
        link = self._get("item_link", item, network)
        title = clean(self._get("item_title", item, network))
        summary = clean(self._get("item_summary", item, network))
        tags = list(self._get("item_hashtags", item, network))[: network.max_hashtags]
        image = self._get("item_image", item, network)
        if override is not None and override.strip():
            segments = self._override(override, item, link, network)
        else:
            segments = self._fit(title, summary, tags, link, network)
        card = None
        if network.card:
            description = shorten(
                summary, lambda s: grapheme_len(s) <= self.card_description_graphemes
            )
            card = Card(url=link, title=title, description=description, image=image)
        return Post(
            network=network.name,
            item_key=item.key,
            item_url=item.url,
            text=join_text(segments),
            segments=segments,
            link=link,
            length=network.measure(segments),
            limit=network.max_length,
            card=card,
            image=image,
            lang=item.lang,
            override=override is not None and bool(override.strip()),
            hashtags=[s.value for s in segments if s.kind == "tag"],
        )

    def _layout(
        self, title: str, summary: str, tags: Sequence[str], link: Segment | None
    ) -> list[Segment]:
        blocks: list[list[Segment]] = []
        if title:
            blocks.append(segments_of(title))
        if summary:
            blocks.append(segments_of(summary))
        if link is not None:
            blocks.append([link])
        if tags:
            line: list[Segment] = []
            for i, name in enumerate(tags):
                if i:
                    line.append(Segment(" "))
                line.append(Segment(f"#{name}", "tag", name))
            blocks.append(line)
        result: list[Segment] = []
        for i, block in enumerate(blocks):
            if i:
                result.append(Segment(self.separator))
            result.extend(block)
        return result

    def _fit(
        self, title: str, summary: str, tags: list[str], link: str, network: Network
    ) -> list[Segment]:
        link_seg = network.link_segment(link)
        layout = self._layout
        fits = network.fits
        keep = min(len(tags), self.min_hashtags)
        for n in range(len(tags), keep - 1, -1):
            candidate = layout(title, summary, tags[:n], link_seg)
            if fits(candidate):
                return candidate
        steps: list[Callable[[], list[Segment] | None]] = [
            lambda: self._shortened(
                summary, lambda s: layout(title, s, tags[:keep], link_seg), fits
            ),
            lambda: self._shortened(summary, lambda s: layout(title, s, [], link_seg), fits),
            lambda: self._shortened(title, lambda t: layout(t, "", [], link_seg), fits),
        ]
        for step in steps:
            result = step()
            if result is not None:
                return result
        only_link = layout("", "", [], link_seg)
        if only_link and fits(only_link):
            return only_link
        raise ComposeError(
            f"Nothing of this item fits in a {network.label} post (limit {network.max_length}): "
            "its link alone is too long. Shorten the item's URL.",
            network=network.name,
        )

    @staticmethod
    def _shortened(
        text: str,
        build: Callable[[str], list[Segment]],
        fits: Callable[[Sequence[Segment]], bool],
    ) -> list[Segment] | None:
        if not text:
            return None
        short = shorten(text, lambda t: fits(build(t)))
        return build(short) if short else None

    def _override(self, text: str, item: Item, link: str, network: Network) -> list[Segment]:
        segments = segments_of(clean(text, single_line=False))
        link_seg = network.link_segment(link) or Segment(link, "link", link, own=True)
        found = False
        for i, seg in enumerate(segments):
            if seg.kind == "link" and same_item(seg.value, item.url):
                segments[i] = link_seg
                found = True
        if not found and network.link_segment(link) is not None:
            segments += [Segment(self.separator), link_seg]
        label = network.label
        n_tags = sum(1 for s in segments if s.kind == "tag")
        if network.hashtag_limit is not None and n_tags > network.hashtag_limit:
            raise OverrideTooLong(
                f"The {label} text has {n_tags} hashtags; {label} allows "
                f"{network.hashtag_limit}: remove {n_tags - network.hashtag_limit}.",
                network=network.name,
                length=n_tags,
                limit=network.hashtag_limit,
            )
        length = network.measure(segments)
        if not network.fits(segments):
            if length <= network.max_length and network.max_bytes is not None:
                size = len(network.render(segments).encode("utf-8"))
                message = (
                    f"The {label} text takes {size} bytes (emoji weigh several); {label} allows "
                    f"{network.max_bytes}: shorten it or use fewer emoji."
                )
            else:
                message = (
                    f"The {label} text is {length} characters long as {label} counts them "
                    f"(the link included); the limit is {network.max_length}: shorten it by "
                    f"{length - network.max_length}."
                )
            raise OverrideTooLong(
                message, network=network.name, length=length, limit=network.max_length
            )
        return segments


default_composer = Composer()


def compose(item: Item, network: Network, override: str | None = None) -> Post:
    """The post for ``network`` with the default :class:`Composer`."""
    return default_composer.compose(item, network, override)


#: A Bluesky handle mentioned in a text: ``@name.bsky.social``, ``@alumni.example.org``.
MENTION_RE = regex.compile(
    r"(?<![\w@/.])@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)"
)


def with_mentions(segments: Sequence[Segment]) -> list[Segment]:
    """``segments`` with each ``@handle.domain`` of their plain text as a mention segment
    (``value``: the handle, resolved to a DID by the client that posts)."""
    result: list[Segment] = []
    for seg in segments:
        if seg.kind != "text":
            result.append(seg)
            continue
        pos = 0
        for m in MENTION_RE.finditer(seg.text):
            if m.start() > pos:
                result.append(Segment(seg.text[pos : m.start()]))
            result.append(Segment(m.group(0), "mention", m.group(1).lower()))
            pos = m.end()
        if pos < len(seg.text):
            result.append(Segment(seg.text[pos:]))
    return result


def compose_message(
    text: str,
    network: Network,
    *,
    key: str,
    item: Item | None = None,
    poll: Poll | None = None,
    lang: str = "fr",
) -> Post:
    """A post that is not an item's excerpt: a question to the community, a thank-you. The
    person's ``text`` is taken as it is, counted and checked as an editor's own text
    (:class:`OverrideTooLong` says by how much it is over); with ``item``, that item's link
    (with UTM) and card go with it, as with an item's post; ``poll`` goes along where the
    network takes polls (:class:`~syndication.errors.PollRefused` otherwise). ``key`` is the
    post's key in the ledger."""
    if not text or not text.strip():
        raise ComposeError(
            f"{key}: the text is empty; write it before posting.", network=network.name
        )
    if poll is not None:
        network.check_poll(poll)
    if item is not None:
        post = default_composer.compose(item, network, text)
    else:
        if network.requires_image:
            raise NotSyndicable(
                f"{network.label} publishes pictures only: a text alone cannot go there.",
                network=network.name,
            )
        segments = segments_of(clean(text, single_line=False))
        if not network.fits(segments):
            length = network.measure(segments)
            raise OverrideTooLong(
                f"The {network.label} text is {length} characters long as {network.label} "
                f"counts them; the limit is {network.max_length}: shorten it by "
                f"{max(1, length - network.max_length)}.",
                network=network.name,
                length=length,
                limit=network.max_length,
            )
        post = Post(
            network=network.name,
            item_key=key,
            item_url="",
            text=join_text(segments),
            segments=segments,
            link="",
            length=network.measure(segments),
            limit=network.max_length,
            lang=lang,
            override=True,
            hashtags=[s.value for s in segments if s.kind == "tag"],
        )
    if network.mention_facets:
        post.segments = with_mentions(post.segments)
    post.item_key = key
    if poll is not None:
        network.attach_poll(post, poll)
    return post
