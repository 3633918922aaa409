"""What each article adds to the site beside its page: its event calendar file and its
generated link-card picture. One function writes them for a full build and for an update."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals

from relais.pelican.calendar import write_event_ics
from relais.pelican.images import write_social_image


def write_article_extras(article: Any, settings: dict[str, Any], output: Path) -> list[str]:
    """Write the article's extra files into ``output``; returns their output paths."""
    written = [
        write_event_ics(article, settings, output),
        write_social_image(article, settings, output),
    ]
    return [p for p in written if p]


def write_all_extras(generator: Any, writer: Any) -> None:
    # a full build on several processes: another one writes some articles (with their extras)
    elsewhere = getattr(generator, "relais_written_elsewhere", set())
    for article in generator.articles:
        if article.save_as not in elsewhere:
            write_article_extras(article, generator.settings, Path(writer.output_path))


def register() -> None:
    signals.article_writer_finalized.connect(write_all_extras)
