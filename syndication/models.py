"""The data that flows through syndication: the item to share, the composed post, the result."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Literal

from syndication.errors import ComposeError

SegmentKind = Literal["text", "link", "tag", "mention"]


@dataclass(frozen=True)
class ImageRef:
    """An image for a card or an Instagram post: a local file, a public URL, or both.

    Bluesky and LinkedIn upload the bytes (from ``path``, else downloaded from ``url``);
    Instagram needs a ``url`` that Meta can fetch; Facebook takes the card image from the page's
    Open Graph tags.
    """

    path: str = ""
    url: str = ""
    alt: str = ""


@dataclass
class Item:
    """What syndication needs to know about one item of the site.

    Built from a content file with :meth:`from_content_item`, or by the Django side from a page.
    ``url`` is the canonical URL of the item on the static site, without tracking parameters.
    """

    title: str
    url: str
    section: str
    slug: str
    summary: str = ""
    body: str = ""
    tags: list[str] = field(default_factory=list)
    class_years: list[str] = field(default_factory=list)
    image: ImageRef | None = None
    lang: str = "fr"

    @property
    def key(self) -> str:
        """The item's identity in the ledger: ``<section>/<slug>``, as under ``content/``."""
        return f"{self.section}/{self.slug}"

    @classmethod
    def from_content_item(
        cls,
        content: Any,
        *,
        site_url: str = "",
        content_dir: str = "",
    ) -> Item:
        """An :class:`Item` from a :class:`relais.contentfile.ContentItem`.

        The link posted is the item's own page, ``site_url`` + ``/<section>/<slug>/``: that is
        where the readers of this site's posts land, and find this site's sign-up page. An
        item whose ``canonical_url`` names an original elsewhere (an item first published on
        another site, an adopted pooled item) still links to its own page; the ``canonical_url``
        is the link only when no ``site_url`` is given.
        Images (``image_social``, else ``image``) are relative to the content file, which sits in
        ``<content_dir>/<section>/``: ``de-stagiaire-a-cto/hero.jpg`` is the file
        ``<content_dir>/parcours/de-stagiaire-a-cto/hero.jpg``, published by the site build at
        ``<site_url>/parcours/de-stagiaire-a-cto/hero.jpg`` (absolute URLs are kept as they are).
        """
        site = site_url.rstrip("/")
        url = f"{site}/{content.section}/{content.slug}/" if site else content.canonical_url
        if not url:
            raise ComposeError(
                f"{content.relative_path}: no canonical URL. Give the item a 'canonical_url' "
                "field, or pass the address of the site (--site-url https://alumni.example.org)."
            )
        image = None
        name = content.image_social or content.image
        if name:
            if name.startswith(("http://", "https://")):
                image = ImageRef(url=name, alt=content.image_alt)
            else:
                relative = posixpath.normpath(posixpath.join(content.section, name.lstrip("/")))
                path = f"{content_dir.rstrip('/')}/{relative}" if content_dir else relative
                image = ImageRef(
                    path=path,
                    url=f"{site}/{relative}" if site else "",
                    alt=content.image_alt,
                )
        return cls(
            title=content.title,
            url=url,
            section=content.section,
            slug=content.slug,
            summary=content.summary,
            body=content.body,
            tags=list(content.tags),
            class_years=list(content.class_years),
            image=image,
            lang=content.lang or "fr",
        )


@dataclass(frozen=True)
class Segment:
    """A piece of a post's text: plain text, a link (``value`` = its URL), a hashtag
    (``value`` = the tag without ``#``) or a mention (``value`` = the account: a Bluesky DID,
    or its handle until the client resolves it). Bluesky turns links, tags and mentions into
    facets, LinkedIn links and tags into its "little text" templates."""

    text: str
    kind: SegmentKind = "text"
    value: str = ""
    #: True for the item's own link (always recognised as a link by the network).
    own: bool = False


@dataclass(frozen=True)
class Card:
    """A link preview: Bluesky's external embed, LinkedIn's article, Facebook's link."""

    url: str
    title: str
    description: str = ""
    image: ImageRef | None = None


@dataclass(frozen=True)
class Poll:
    """A poll under a post: its 2 to 4 ``options``, how long it stays open, in seconds, and
    its ``question`` (LinkedIn asks it apart from the text; Mastodon and X ask it in the text).
    Only networks whose API creates polls take one (``network.can("poll")``: Mastodon, X,
    LinkedIn)."""

    options: tuple[str, ...]
    seconds: int
    question: str = ""


@dataclass(frozen=True)
class PollResults:
    """A poll's votes as the network gives them back: ``votes`` per option, in the order of
    the options, ``voters`` (people who voted), and whether the poll is closed (None: the
    network does not say)."""

    options: tuple[str, ...]
    votes: tuple[int, ...]
    voters: int
    closed: bool | None = None


@dataclass
class Post:
    """A post composed for one network, before any account is involved.

    ``text`` is what readers see; ``segments`` is the same text cut into plain text, links and
    hashtags. ``link`` is the item's URL with the UTM parameters of this network; ``length`` is
    the text's length as the network counts it, ``limit`` the network's maximum.
    """

    network: str
    item_key: str
    item_url: str
    text: str
    segments: list[Segment]
    link: str
    length: int
    limit: int
    card: Card | None = None
    image: ImageRef | None = None
    lang: str = "fr"
    override: bool = False
    hashtags: list[str] = field(default_factory=list)
    poll: Poll | None = None

    def facets(self) -> list[dict[str, Any]]:
        """Bluesky rich-text facets: UTF-8 byte ranges of the links and hashtags in ``text``."""
        return facets_of(self.segments)


def facets_of(segments: list[Segment]) -> list[dict[str, Any]]:
    """Bluesky rich-text facets of ``segments``: the UTF-8 byte ranges of links and hashtags."""
    facets: list[dict[str, Any]] = []
    offset = 0
    for seg in segments:
        size = len(seg.text.encode("utf-8"))
        if seg.kind == "link":
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": seg.value}
        elif seg.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": seg.value}
        elif seg.kind == "mention" and seg.value.startswith("did:"):
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": seg.value}
        else:
            feature = None
        if feature is not None:
            facets.append(
                {"index": {"byteStart": offset, "byteEnd": offset + size}, "features": [feature]}
            )
        offset += size
    return facets


@dataclass(frozen=True)
class RemotePost:
    """A post as it exists on a network: its id there and its public URL."""

    id: str
    url: str = ""


@dataclass(frozen=True)
class AccountInfo:
    """Who a set of credentials posts as: what ``verify_credentials()`` returns."""

    id: str
    name: str = ""
    handle: str = ""
    url: str = ""
    #: Network-specific facts, e.g. a Mastodon server's text limit.
    extra: dict[str, Any] = field(default_factory=dict)
