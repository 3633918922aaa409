"""Pelican settings of the Relais static site.

Everything that differs between machines comes from the environment, so that the CMS, ``make
site`` and a hosting script all build the same site:

- ``RELAIS_SITE_URL``: public address of the site (default http://127.0.0.1:8001)
- ``RELAIS_CONTENT_DIR``: the content folder (default: ``content/`` next to this folder)
- ``RELAIS_BUILD_NOW``: the moment the build considers "now" (ISO date; default: the clock), which
  decides which events are upcoming.

The association's name, tagline and sign-up page come from ``content/site.yaml``.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relais.sections import SECTIONS  # noqa: E402
from relais.siteconfig import load_site_config  # noqa: E402

PATH = os.environ.get("RELAIS_CONTENT_DIR", str(ROOT / "content"))
THEME = str(ROOT / "themes" / "relais")
OUTPUT_PATH = str(ROOT / "site" / "output")
CACHE_PATH = str(ROOT / "site" / "cache")
SITEURL = os.environ.get("RELAIS_SITE_URL", "http://127.0.0.1:8001").rstrip("/")
RELATIVE_URLS = False
SITE_CONFIG = load_site_config(PATH)
SITENAME = SITE_CONFIG.name
SITESUBTITLE = SITE_CONFIG.tagline
DEFAULT_LANG = SITE_CONFIG.lang
TIMEZONE = "Europe/Paris"
BUILD_NOW = os.environ.get("RELAIS_BUILD_NOW", "")

PLUGINS = [
    "relais.pelican.reader",
    "relais.pelican.taxonomies",
    "relais.pelican.images",
    "relais.pelican.context",
    "relais.pelican.calendar",
    "relais.pelican.sitemap",
]
JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": ["jinja2.ext.i18n"],
}
MARKDOWN = {
    "extensions": ["markdown.extensions.extra", "markdown.extensions.sane_lists"],
    "output_format": "html",
}
FORMATTED_FIELDS = []  # summaries are plain text: never interpreted as Markdown
TYPOGRIFY = False
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

# Content
ARTICLE_PATHS = list(SECTIONS)
ARTICLE_EXCLUDES = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = [*SECTIONS, "pages", "media"]
STATIC_EXCLUDE_SOURCES = True
IGNORE_FILES = [".#*", "*.tmp", ".*"]
USE_FOLDER_AS_CATEGORY = True
DEFAULT_CATEGORY = "actualites"
SLUGIFY_SOURCE = "basename"

# URLs: one folder per page, so every address ends with a slash and never with .html
ARTICLE_URL = "{category}/{slug}/"
ARTICLE_SAVE_AS = "{category}/{slug}/index.html"
DRAFT_URL = DRAFT_SAVE_AS = ""
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = "{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "contributeurs/{slug}/"
AUTHOR_SAVE_AS = "contributeurs/{slug}/index.html"
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
CLASSYEAR_URL = "promotions/{slug}/"
CLASSYEAR_SAVE_AS = "promotions/{slug}/index.html"
GROUP_URL = "groupes/{slug}/"
GROUP_SAVE_AS = "groupes/{slug}/index.html"
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "404"]
INDEX_SAVE_AS = "index.html"
TAGS_SAVE_AS = "tags/index.html"
DEFAULT_PAGINATION = 12
PAGINATED_TEMPLATES = {
    "index": None, "category": None, "tag": None, "author": None, "class_year": None,
    "group": None,
}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Feeds: full content, the 50 newest items
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = False
FEED_ATOM = None
FEED_RSS = None
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/{slug}.rss.xml"
TAG_FEED_ATOM = "feeds/tags/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tags/{slug}.rss.xml"
CLASSYEAR_FEED_ATOM = "feeds/promotions/{slug}.atom.xml"
CLASSYEAR_FEED_RSS = "feeds/promotions/{slug}.rss.xml"
GROUP_FEED_ATOM = "feeds/groupes/{slug}.atom.xml"
GROUP_FEED_RSS = "feeds/groupes/{slug}.rss.xml"
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = TRANSLATION_FEED_RSS = None

# Social images: every article gets a 1200x630 picture for link cards
SOCIAL_IMAGE_SIZE = (1200, 630)
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
