"""Read content files with :mod:`relais.contentfile`: one schema, strict errors, safe HTML.

Stock Pelican reads Markdown metadata without YAML (quoted values keep their quotes) and logs
and skips a file it cannot read. This reader parses the frontmatter with the same code as the CMS
export and syndication, logs a :class:`~relais.contentfile.ContentFileError` as an *error* that
names the file and the field (the build treats errors as fatal, so a broken file never removes
an item from the live site), converts the body with one reused ``Markdown`` instance, and
sanitises the HTML so that no script written in an item reaches the site.
"""

from __future__ import annotations

import hashlib
import logging
import os
import posixpath
import re
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from markdown import Markdown
from pelican import signals
from pelican.readers import BaseReader

from relais.contentfile import ContentFileError, ContentItem, load_file, load_page_file
from relais.contentpaths import BadContentPath, content_path, inside_content
from relais.html import sanitise_html

logger = logging.getLogger(__name__)

# Pelican's links to a file of the content folder
_FILE_LINKS = ("filename", "static", "attach")
# src="x" / href="x" whose value is relative to the file (no scheme, no leading / # ? or {)
_RELATIVE_LINK = re.compile(r'\b(src|href)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#|\?|\{)([^"]+)"')


def link_relative_paths(html: str) -> str:
    """Make links relative to the content file work on the site, as they do in any Markdown viewer.

    ``![](mon-article/photo.jpg)`` next to ``actualites/mon-article.md`` becomes Pelican's
    ``{static}`` link, and a link to another ``.md`` file becomes ``{filename}``: Pelican then
    resolves both to their URL on the site and warns when the target does not exist.
    """

    def replace(m: re.Match[str]) -> str:
        attr, target = m.group(1), m.group(2)
        kind = "filename" if target.split("#")[0].endswith(".md") else "static"
        return f'{attr}="{{{kind}}}{target}"'

    return _RELATIVE_LINK.sub(replace, html)


class RelaisReader(BaseReader):
    """Markdown with YAML frontmatter, as written by the CMS export or by hand."""

    enabled = True
    file_extensions = ["md", "markdown"]

    def __init__(self, settings: dict[str, Any]):
        super().__init__(settings)
        md_settings = dict(self.settings["MARKDOWN"])
        md_settings["extensions"] = [
            e for e in md_settings.get("extensions", []) if e != "markdown.extensions.meta"
        ]
        self._md = Markdown(**md_settings)
        # The links Pelican resolves to a file of the site, as Pelican finds them
        self._intrasite = re.compile(
            r"""<[^>]+(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*"""
            r"""(?P<quote>["'])(?P<path>"""
            + self.settings["INTRASITE_LINK_REGEX"]
            + r"""(?P<value>.*?))(?P=quote)"""
        )

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        relative = os.path.relpath(source_path, self.settings["PATH"]).replace(os.sep, "/")
        is_page = any(relative.startswith(p.rstrip("/") + "/") for p in self.settings["PAGE_PATHS"])
        shown = f"content/{relative}"
        try:
            loader = load_page_file if is_page else load_file
            item = loader(source_path, shown_as=shown)
            digest = hashlib.sha1(Path(source_path).read_bytes(), usedforsecurity=False).hexdigest()
            html = self.to_html(item.body)
            self.check_links(html, relative, shown)
        except ContentFileError as exc:
            logger.error("%s", exc)
            raise
        if is_page:
            meta = {"title": item.title, "slug": item.slug}
            if item.summary:
                meta["summary"] = item.summary
            return html, meta
        return html, {**self.metadata_for(item), "relais_digest": digest}

    def to_html(self, markdown_text: str) -> str:
        self._md.reset()
        return link_relative_paths(sanitise_html(self._md.convert(markdown_text)))

    def check_links(self, html: str, relative: str, shown: str) -> None:
        """Refuse a link to a file (``{static}``, ``{attach}``, ``{filename}``, or a relative
        path made into one) that leads outside the content folder, in every spelling Pelican
        would try (as written, %-decoded, entity-decoded): Pelican would copy that file into
        the site. The error is the same whether or not the file exists."""
        folder = posixpath.dirname(relative)
        for match in self._intrasite.finditer(html):
            if match.group("what") not in _FILE_LINKS:
                continue
            value = match.group("value")
            path = urlparse(value).path
            for spelling in {path, unquote(path), urlparse(unescape(value)).path}:
                try:
                    inside_content(
                        self.settings["PATH"], content_path(folder, spelling, from_root=True)
                    )
                except BadContentPath as exc:
                    raise ContentFileError(shown, "body", f"the link to {value!r}: {exc}") from None

    def metadata_for(self, item: ContentItem) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "title": item.title,
            "date": item.date,
            "slug": item.slug,
            "category": self.process_metadata("category", item.section),
            "lang": item.lang,
            "relais": item,
        }
        if item.modified:
            meta["modified"] = item.modified
        if item.summary:
            meta["summary"] = item.summary
        if item.tags:
            meta["tags"] = self.process_metadata("tags", item.tags)
        if item.contributors:
            meta["authors"] = self.process_metadata("authors", item.contributors)
        return meta


def add_reader(readers: Any) -> None:
    for ext in RelaisReader.file_extensions:
        readers.reader_classes[ext] = RelaisReader


def register() -> None:
    signals.readers_init.connect(add_reader)
