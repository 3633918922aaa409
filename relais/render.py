"""Render one content item through the site's theme, without building the site.

The CMS preview uses it: a draft is turned into a :class:`~relais.contentfile.ContentItem`,
rendered by the same reader, plugins and ``article.html`` template as the static site, and shown
in the editor. A :class:`ThemeRenderer` keeps Pelican's settings, plugins and Jinja environment
warm between calls.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.contents import Article
from pelican.generators import ArticlesGenerator

from relais.buildconfig import SitePaths, pelican_settings
from relais.contentfile import ContentItem
from relais.pelican.context import build_now
from relais.pelican.images import resolve_article_images
from relais.pelican.reader import RelaisReader
from relais.pelican.taxonomies import attach_article_terms
from relais.siteconfig import load_site_config


class ThemeRenderer:
    def __init__(self, paths: SitePaths | None = None, **overrides: Any):
        self.paths = paths or SitePaths.from_env()
        self._tmp = tempfile.mkdtemp(prefix="relais-render-")
        self.settings = pelican_settings(self.paths, Path(self._tmp), **overrides)
        Pelican(self.settings)  # registers the plugins, whose signals set up Jinja
        self.context: dict[str, Any] = self.settings.copy()
        self.context.update(
            generated_content={},
            static_content={},
            static_links=set(),
            localsiteurl="",
            pages=[],
            articles=[],
            categories=[],
            tags={},
            authors=[],
            dates=[],
        )
        self.generator = ArticlesGenerator(
            context=self.context,
            settings=self.settings,
            path=self.settings["PATH"],
            theme=self.settings["THEME"],
            output_path=self._tmp,
        )
        self._reader = None
        self._lock = threading.Lock()

    def _reader_instance(self) -> Any:
        if self._reader is None:
            self._reader = RelaisReader(self.settings)
        return self._reader

    def render_item(self, item: ContentItem) -> str:
        """The HTML page of ``item`` as the static site would show it."""
        with self._lock:
            reader = self._reader_instance()
            html = reader.to_html(item.body)
            metadata = reader.metadata_for(item)
            source = str(Path(self.settings["PATH"]) / item.relative_path)
            article = Article(
                html,
                metadata=metadata,
                settings=self.settings,
                source_path=source,
                context=self.context,
            )
            resolve_article_images(article, Path(self.settings["PATH"]), self.settings["SITEURL"])
            attach_article_terms(article, self.settings)
            article.ics_url = ""
            context = dict(self.context)
            context.update(
                SITE=load_site_config(self.paths.content),
                upcoming_events=[],
                upcoming_events_home=[],
                build_now=build_now(self.settings),
                article=article,
                output_file=article.save_as,
                page_name=article.slug,
                category=article.category,
            )
            return self.generator.get_template("article").render(context)
