"""The content file format: Markdown with YAML frontmatter, the contract between every part.

The CMS writes these files, people may write them by hand, Pelican reads them (through
``relais.pelican.reader``) and syndication composes posts from them. All of them go through
:func:`load` and :func:`dump` so that there is one schema, one set of error messages, and a
round trip that loses nothing::

    ---
    title: 'Carrière : de stagiaire à CTO'
    date: 2026-11-20 10:00:00+01:00
    slug: de-stagiaire-a-cto
    section: parcours
    summary: Comment Léa (promo 2012) a construit la plateforme de données d'un industriel.
    tags: [data, industrie]
    class_years: ['2012']
    image: de-stagiaire-a-cto/hero.jpg
    image_alt: Léa Martin devant une ligne de production
    ---
    Le corps en **Markdown**.

Only ``title`` and ``date`` are required; ``slug`` defaults to the file name and ``section`` to the
folder the file sits in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import frontmatter
import yaml

from relais.contentpaths import BadContentPath, content_path
from relais.sections import SECTIONS
from relais.urls import UnsafeURL, check_url, is_address

SITE_TIMEZONE = ZoneInfo("Europe/Paris")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
BOM = "\ufeff"  # some editors start UTF-8 files with it: the file reads as without it
_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


class ContentFileError(ValueError):
    """A content file that cannot be used, with the file and the field at fault."""

    def __init__(self, path: str | Path | None, field_name: str | None, message: str):
        self.path = str(path) if path is not None else "<text>"
        self.field = field_name
        self.message = message
        where = f"{self.path}: field '{field_name}'" if field_name else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class CareerInfo:
    """The person a career story is about."""

    alumnus: str = ""
    class_year: str = ""
    position: str = ""
    organisation: str = ""
    sector: str = ""


@dataclass
class EventInfo:
    """When and where an event takes place, and who organises it."""

    start: dt.datetime
    end: dt.datetime | None = None
    location: str = ""
    organiser: str = ""
    registration_url: str = ""


@dataclass
class ContentItem:
    """One item of the site: the frontmatter fields plus the Markdown body."""

    title: str
    date: dt.datetime
    slug: str
    section: str
    summary: str = ""
    modified: dt.datetime | None = None
    tags: list[str] = field(default_factory=list)
    class_years: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    image: str = ""
    image_alt: str = ""
    image_caption: str = ""
    image_social: str = ""
    canonical_url: str = ""
    cms_id: int | None = None
    lang: str = "fr"
    career: CareerInfo | None = None
    event: EventInfo | None = None
    body: str = ""

    @property
    def relative_path(self) -> str:
        """Where the item lives under ``content/``."""
        return f"{self.section}/{self.slug}.md"

    def metadata(self) -> dict[str, Any]:
        """The frontmatter as plain data, empty optional fields left out."""
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "body":
                continue
            value = getattr(self, f.name)
            if value in (None, "", []):
                continue
            if f.name == "lang" and value == "fr":
                continue
            if isinstance(value, (CareerInfo, EventInfo)):
                value = {k: v for k, v in asdict(value).items() if v not in (None, "")}
            data[f.name] = value
        return data


@dataclass
class StaticPage:
    """A page outside the sections (``content/pages/``): about, legal notice, privacy policy."""

    title: str
    slug: str
    summary: str = ""
    body: str = ""


# -- writing -------------------------------------------------------------------------------------


class _Handler(frontmatter.YAMLHandler):
    """Safe YAML with libyaml's parser when PyYAML has it (ten times faster on large sites)."""

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def load(self, fm: str, **kwargs: Any) -> Any:
        return yaml.load(fm, Loader=self.loader)  # noqa: S506 - a safe loader


_HANDLER = _Handler()


class _Dumper(yaml.SafeDumper):
    """Safe YAML that never folds a line and never lets a value span lines."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # A value on several lines could contain a line '---' and end the frontmatter early:
    # double quotes turn every line break into an escape sequence.
    style = '"' if any(c in value for c in _LINE_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _frontmatter_text(meta: dict[str, Any], body: str) -> str:
    # Not frontmatter.dumps: it strips the YAML text, and with it a last value's trailing
    # non-breaking space (str.strip knows more spaces than YAML does).
    fields = yaml.dump(
        meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=float("inf")
    )
    return f"---\n{fields}---\n\n{body.strip(chr(10))}\n"


def dump(item: ContentItem) -> str:
    """The file text for ``item``: YAML frontmatter, a blank line, the Markdown body."""
    return _frontmatter_text(item.metadata(), item.body)


def dump_page(page: StaticPage) -> str:
    """The file text for a page of ``content/pages/``."""
    meta: dict[str, Any] = {"title": page.title, "slug": page.slug}
    if page.summary:
        meta["summary"] = page.summary
    return _frontmatter_text(meta, page.body)


# -- reading -------------------------------------------------------------------------------------


def load(text: str, path: str | Path | None = None) -> ContentItem:
    """Parse and check a content file. Raises :class:`ContentFileError` saying what to fix."""
    text = text.removeprefix(BOM)
    if not text.lstrip().startswith("---"):
        raise ContentFileError(
            path,
            None,
            "no frontmatter: the file must start with a line '---', then YAML fields "
            "(at least 'title' and 'date'), then a line '---' and the Markdown body.",
        )
    try:
        post = frontmatter.loads(text, handler=_HANDLER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentFileError(
            path,
            None,
            f"the frontmatter is not valid YAML{line}: {problem}. "
            "Put values containing ':' or '#' between quotes.",
        ) from exc
    except ValueError as exc:
        raise ContentFileError(path, None, f"the frontmatter cannot be read: {exc}") from exc
    meta = post.metadata
    if not isinstance(meta, dict):
        raise ContentFileError(path, None, "the frontmatter must be a set of 'field: value' lines.")
    return _build_item(meta, post.content, path)


def load_file(path: str | Path, shown_as: str | Path | None = None) -> ContentItem:
    """Read a content file; errors name it ``shown_as`` (e.g. relative to ``content/``)."""
    shown = shown_as if shown_as is not None else path
    return load(read_text(path, shown), shown)


def read_text(path: str | Path, shown_as: str | Path | None = None) -> str:
    """The text of a UTF-8 file, without the byte-order mark some editors put first."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentFileError(
            shown_as if shown_as is not None else path,
            None,
            f"not UTF-8 text ({exc.reason}); save it as UTF-8.",
        ) from exc


def load_page_file(path: str | Path, shown_as: str | Path | None = None) -> StaticPage:
    text = read_text(path, shown_as)
    path = shown_as if shown_as is not None else path
    if not text.lstrip().startswith("---"):
        raise ContentFileError(
            path, None, "no frontmatter: start the file with '---', a line 'title: ...', and '---'."
        )
    try:
        post = frontmatter.loads(text, handler=_HANDLER)
    except yaml.YAMLError as exc:
        raise ContentFileError(path, None, f"the frontmatter is not valid YAML: {exc}") from exc
    meta = post.metadata
    unknown = sorted(set(meta) - {"title", "slug", "summary"})
    if unknown:
        raise ContentFileError(path, unknown[0], "unknown field; pages take title, slug, summary.")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentFileError(path, "title", "is required and must not be empty.")
    slug = _text(path, "slug", meta.get("slug", Path(path).stem))
    if not SLUG_RE.match(slug):
        raise ContentFileError(
            path, "slug", f"{slug!r} must be lowercase ASCII letters, digits and single hyphens."
        )
    return StaticPage(
        title=title,
        slug=slug,
        summary=_opt_text(path, "summary", meta.get("summary")),
        body=post.content,
    )


_KNOWN = {f.name for f in fields(ContentItem)} - {"body"}


def _build_item(meta: dict[str, Any], body: str, path: str | Path | None) -> ContentItem:
    unknown = sorted(str(k) for k in meta if k not in _KNOWN)
    if unknown:
        raise ContentFileError(
            path, unknown[0], f"unknown field. Known fields: {', '.join(sorted(_KNOWN))}."
        )
    p = Path(path) if path is not None else None

    def req_str(name: str) -> str:
        value = meta.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ContentFileError(path, name, "is required and must not be empty.")
        return _text(path, name, value)

    section = meta.get("section")
    if section is None and p is not None:
        section = p.parent.name
    if section not in SECTIONS:
        raise ContentFileError(
            path,
            "section",
            f"{section!r} is not a section; use one of {', '.join(SECTIONS)} "
            "(or put the file in the folder of its section).",
        )
    slug = meta.get("slug")
    if slug is None and p is not None:
        slug = p.stem
    slug = _text(path, "slug", slug)
    if not SLUG_RE.match(slug):
        raise ContentFileError(
            path, "slug", f"{slug!r} must be lowercase ASCII letters, digits and single hyphens."
        )
    image = _picture(path, "image", meta.get("image"), section)
    image_alt = _opt_text(path, "image_alt", meta.get("image_alt"))
    if image and not image_alt.strip():
        raise ContentFileError(
            path, "image_alt", "an image needs a text alternative describing it for blind readers."
        )
    cms_id = meta.get("cms_id")
    if cms_id is not None and (isinstance(cms_id, bool) or not isinstance(cms_id, int)):
        raise ContentFileError(path, "cms_id", "must be a whole number.")
    return ContentItem(
        title=req_str("title"),
        date=_datetime(path, "date", meta.get("date"), required=True),
        modified=_datetime(path, "modified", meta.get("modified")),
        slug=slug,
        section=section,
        summary=_opt_text(path, "summary", meta.get("summary")),
        tags=_text_list(path, "tags", meta.get("tags")),
        class_years=_text_list(path, "class_years", meta.get("class_years")),
        groups=_text_list(path, "groups", meta.get("groups")),
        contributors=_text_list(path, "contributors", meta.get("contributors")),
        image=image,
        image_alt=image_alt,
        image_caption=_opt_text(path, "image_caption", meta.get("image_caption")),
        image_social=_picture(path, "image_social", meta.get("image_social"), section),
        canonical_url=_url(path, "canonical_url", meta.get("canonical_url")),
        cms_id=cms_id,
        lang=_opt_text(path, "lang", meta.get("lang")) or "fr",
        career=_career(path, meta.get("career")),
        event=_event(path, meta.get("event")),
        body=body,
    )


def _text(path: Any, name: str, value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise ContentFileError(path, name, f"must be text, not {type(value).__name__}.")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _opt_text(path: Any, name: str, value: Any) -> str:
    return "" if value is None else _text(path, name, value)


def _url(path: Any, name: str, value: Any, *, mailto: bool = False) -> str:
    """An address a page may link to (see :mod:`relais.urls`), or empty."""
    text = _opt_text(path, name, value)
    if not text.strip():
        return ""
    try:
        return check_url(text, mailto=mailto)
    except UnsafeURL as exc:
        raise ContentFileError(path, name, str(exc)) from None


def _picture(path: Any, name: str, value: Any, section: str) -> str:
    """A picture: an address (``https://…``) or a path from the content file that stays
    inside the content folder (the file sits in ``<section>/``)."""
    text = _opt_text(path, name, value)
    if not text.strip():
        return ""
    if is_address(text):
        return _url(path, name, text)
    try:
        content_path(section, text)
    except BadContentPath as exc:
        raise ContentFileError(path, name, str(exc)) from None
    return text


def _text_list(path: Any, name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # "a, b" is accepted as a convenience for hand-written files
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise ContentFileError(path, name, "must be a list, for example [one, two].")
    return [_text(path, f"{name}[{i}]", v) for i, v in enumerate(value)]


def _datetime(path: Any, name: str, value: Any, required: bool = False) -> dt.datetime | None:
    if value is None:
        if required:
            raise ContentFileError(
                path, name, "is required, for example 2026-11-20 10:00:00+01:00."
            )
        return None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        try:
            result = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ContentFileError(
                path, name, f"{value!r} is not a date; write it as 2026-11-20 or 2026-11-20 10:00."
            ) from None
    else:
        raise ContentFileError(path, name, f"must be a date, not {type(value).__name__}.")
    if result.tzinfo is None:
        result = result.replace(tzinfo=SITE_TIMEZONE)
    return result


def _mapping(path: Any, name: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ContentFileError(path, name, "must be a set of 'field: value' lines, indented.")
    return value


def _career(path: Any, value: Any) -> CareerInfo | None:
    data = _mapping(path, "career", value)
    if data is None:
        return None
    known = {f.name for f in fields(CareerInfo)}
    for key in data:
        if key not in known:
            raise ContentFileError(path, f"career.{key}", f"unknown field; use {', '.join(known)}.")
    return CareerInfo(**{k: _opt_text(path, f"career.{k}", v) for k, v in data.items()})


def _event(path: Any, value: Any) -> EventInfo | None:
    data = _mapping(path, "event", value)
    if data is None:
        return None
    known = {f.name for f in fields(EventInfo)}
    for key in data:
        if key not in known:
            raise ContentFileError(path, f"event.{key}", f"unknown field; use {', '.join(known)}.")
    start = _datetime(path, "event.start", data.get("start"), required=True)
    end = _datetime(path, "event.end", data.get("end"))
    if end is not None and start is not None and end < start:
        raise ContentFileError(path, "event.end", "ends before it starts.")
    return EventInfo(
        start=start,  # type: ignore[arg-type]
        end=end,
        location=_opt_text(path, "event.location", data.get("location")),
        organiser=_opt_text(path, "event.organiser", data.get("organiser")),
        registration_url=_url(
            path, "event.registration_url", data.get("registration_url"), mailto=True
        ),
    )
