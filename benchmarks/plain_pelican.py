"""Plain Pelican 4.12 on a benchmark corpus: the baseline. ``python -m benchmarks.plain_pelican
CONTENT OUTPUT [--cache]``.

Stock Pelican with its default theme, the YAML-metadata plugin (Markdown metadata otherwise keeps
the quotes of YAML values), and the same URLs, pagination (12) and feeds (all, per section, per
tag) as the Relais site. ``--cache`` turns Pelican's content cache on (its second run is the
"warm cache" figure)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

from relais.sections import SECTIONS


def settings(content: Path, output: Path, cache: bool) -> dict:
    return read_settings(
        None,
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(output.parent / "pelican-cache"),
            "SITEURL": "https://alumni.example.org",
            "SITENAME": "Fédération Exemple",
            "PLUGINS": ["pelican.plugins.yaml_metadata"],
            "ARTICLE_PATHS": list(SECTIONS),
            "STATIC_PATHS": list(SECTIONS),
            "STATIC_EXCLUDE_SOURCES": True,
            "PAGE_PATHS": ["pages"],
            "USE_FOLDER_AS_CATEGORY": True,
            "ARTICLE_URL": "{category}/{slug}/",
            "ARTICLE_SAVE_AS": "{category}/{slug}/index.html",
            "CATEGORY_URL": "{slug}/",
            "CATEGORY_SAVE_AS": "{slug}/index.html",
            "TAG_URL": "tags/{slug}/",
            "TAG_SAVE_AS": "tags/{slug}/index.html",
            "AUTHOR_URL": "contributeurs/{slug}/",
            "AUTHOR_SAVE_AS": "contributeurs/{slug}/index.html",
            "DEFAULT_PAGINATION": 12,
            "FEED_ALL_ATOM": "feeds/all.atom.xml",
            "FEED_ALL_RSS": "feeds/all.rss.xml",
            "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml",
            "TAG_FEED_ATOM": "feeds/tags/{slug}.atom.xml",
            "FEED_MAX_ITEMS": 50,
            "TIMEZONE": "Europe/Paris",
            "DEFAULT_LANG": "fr",
            "CACHE_CONTENT": cache,
            "LOAD_CONTENT_CACHE": cache,
            "DELETE_OUTPUT_DIRECTORY": False,
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--cache", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    Pelican(settings(args.content, args.output, args.cache)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
