"""Text helpers of the composer: graphemes, whole-word truncation, hashtags, links with UTM.

Everything here counts and cuts by grapheme clusters (``regex``'s ``\\X``): a family emoji, a flag
or a letter with its accents is one unit that is never split.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex

from syndication.models import Segment

GRAPHEME = regex.compile(r"\X")
# A URL in running text: stops at whitespace, at the composer's ellipsis and at closing
# punctuation that ends a sentence more often than a URL.
URL_RE = regex.compile(r"https?://[^\s<>\"…]+[^\s<>\"….,;:!?'»)\]}]")
# A hashtag in running text: '#' at the start or after a space, then a letter or digit.
HASHTAG_RE = regex.compile(r"(?<![\p{L}\p{M}\p{N}_&/#])#([\p{L}\p{N}][\p{L}\p{M}\p{N}_]*)")
_HASHTAG_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*")
_SPACES = regex.compile(r"\s+")
# Characters that some networks refuse or that break the layout: control characters (except the
# line feed), bidi embeddings and overrides (X refuses U+202A–U+202E), BOM and non-characters.
_UNWANTED = regex.compile(r"[\p{Cc}--[\n]]|[\u202a-\u202e\ufeff\ufffe\uffff]", regex.V1)
TAG_MAX_GRAPHEMES = 64  # Bluesky's limit for a tag facet; longer hashtags are dropped
ELLIPSIS = "…"
_TRAILING_PUNCT = set(",;:-–—")


def graphemes(text: str) -> list[str]:
    return GRAPHEME.findall(text)


def grapheme_len(text: str) -> int:
    return len(GRAPHEME.findall(text))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clean(text: str, *, single_line: bool = True) -> str:
    """NFC-normalised text without control characters; whitespace runs become one space."""
    text = _UNWANTED.sub("", unicodedata.normalize("NFC", text or ""))
    if single_line:
        return _SPACES.sub(" ", text).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def cut_points(text: str) -> list[int]:
    """Offsets where ``text`` may be cut: just before a whitespace grapheme that follows a
    non-whitespace one. Cutting there keeps every word and every grapheme whole."""
    points = []
    offset = 0
    previous_is_word = False
    for g in GRAPHEME.findall(text):
        is_space = g.isspace()
        if is_space and previous_is_word:
            points.append(offset)
        previous_is_word = not is_space
        offset += len(g)
    return points


def shorten(text: str, fits: Callable[[str], bool], ellipsis: str = ELLIPSIS) -> str:
    """``text`` itself if it fits, else its longest whole-word prefix + ``ellipsis`` that fits,
    else ``""``. ``fits`` must be monotonic (a longer prefix never fits better)."""
    if fits(text):
        return text
    points = cut_points(text)

    def candidate(i: int) -> str:
        head = text[: points[i]]
        while head and head[-1] in _TRAILING_PUNCT and grapheme_len(head[-2:]) == 2:
            head = head[:-1].rstrip()
        return head + ellipsis if head else ""

    lo, hi, best = 0, len(points) - 1, ""
    while lo <= hi:
        mid = (lo + hi) // 2
        c = candidate(mid)
        if c and fits(c):
            best, lo = c, mid + 1
        else:
            hi = mid - 1
    return best


def first_words(markdown: str, max_words: int = 60) -> str:
    """The first words of a Markdown body as plain text: the fallback when there is no summary."""
    text = regex.sub(r"```.*?```", " ", markdown or "", flags=regex.S)
    text = regex.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)  # images
    text = regex.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = regex.sub(r"<[^>]+>", " ", text)  # inline HTML
    text = regex.sub(r"(?m)^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+", "", text)  # headings, quotes, lists
    text = regex.sub(r"(\*\*|__|\*|_|`)", "", text)
    words = clean(text).split(" ")
    if len(words) <= max_words:
        return " ".join(words)
    return " ".join(words[:max_words]) + ELLIPSIS


# -- hashtags ------------------------------------------------------------------------------------


def hashtag(label: str) -> str | None:
    """The hashtag (without ``#``) for a tag, or None when nothing usable is left.

    Words are joined in CamelCase ("intelligence artificielle" -> "IntelligenceArtificielle"),
    accents are kept, compatibility forms are folded (NFKC: "ﬁ" -> "fi", full-width -> ASCII),
    punctuation, symbols and emoji are dropped. A hashtag needs a letter (#2012 is not one on
    X or Mastodon) and at most 64 graphemes (Bluesky).
    """
    words = _HASHTAG_WORD.findall(unicodedata.normalize("NFKC", label or ""))
    parts = []
    for word in words:
        first = word[0].upper()
        if word.islower() and len(first) == 1:
            word = first + word[1:]
        parts.append(word)
    name = unicodedata.normalize("NFC", "".join(parts))
    if not name or not regex.search(r"\p{L}", name):
        return None
    if grapheme_len(name) > TAG_MAX_GRAPHEMES:
        return None
    return name


def unique_hashtags(names: Iterable[str | None]) -> list[str]:
    seen: set[str] = set()
    result = []
    for name in names:
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


# -- links ---------------------------------------------------------------------------------------


def with_utm(url: str, *, source: str, campaign: str, content: str, medium: str = "social") -> str:
    """``url`` with ``utm_source/medium/campaign/content`` set; other query parameters and the
    fragment are kept as they were."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    query += [
        ("utm_source", source),
        ("utm_medium", medium),
        ("utm_campaign", campaign),
        ("utm_content", content),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def without_utm(url: str) -> str:
    """``url`` without tracking parameters, scheme and host lower-cased, for comparisons."""
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def same_item(url_a: str, url_b: str) -> bool:
    """Whether two links point at the same item, whatever their UTM parameters."""
    return bool(url_a and url_b) and without_utm(url_a) == without_utm(url_b)


def short_display(url: str, max_graphemes: int = 40) -> str:
    """The visible text of a link in a Bluesky post: host and path, shortened with an ellipsis."""
    parts = urlsplit(url)
    shown = (parts.netloc + parts.path).rstrip("/")
    gs = graphemes(shown)
    if len(gs) <= max_graphemes:
        return shown
    return "".join(gs[: max_graphemes - 1]) + ELLIPSIS


# -- segments ------------------------------------------------------------------------------------


def segments_of(text: str, *, tags: bool = True) -> list[Segment]:
    """``text`` cut into plain text, links (URLs in the text) and hashtags (``#word``)."""
    pattern = regex.compile(f"{URL_RE.pattern}|{HASHTAG_RE.pattern}" if tags else URL_RE.pattern)
    result: list[Segment] = []
    pos = 0
    for m in pattern.finditer(text):
        value = m.group(0)
        if value.startswith("#"):
            name = m.group(1)
            if not regex.search(r"\p{L}", name) or grapheme_len(name) > TAG_MAX_GRAPHEMES:
                continue
            seg = Segment(value, "tag", name)
        else:
            seg = Segment(value, "link", value)
        if m.start() > pos:
            result.append(Segment(text[pos : m.start()]))
        result.append(seg)
        pos = m.end()
    if pos < len(text):
        result.append(Segment(text[pos:]))
    return result


def join_text(segments: Iterable[Segment]) -> str:
    return "".join(s.text for s in segments)
