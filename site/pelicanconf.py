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

from relais import siteconfig  # noqa: E402
from relais.buildconfig import CONTENT_FOLDERS  # noqa: E402
from relais.pelican.i18n import check_lang  # noqa: E402
from relais.sections import SECTIONS  # noqa: E402

PATH = os.environ.get("RELAIS_CONTENT_DIR", str(ROOT / "content"))
THEME = str(ROOT / "themes" / "relais")
OUTPUT_PATH = str(ROOT / "site" / "output")
CACHE_PATH = str(ROOT / "site" / "cache")
SITEURL = os.environ.get("RELAIS_SITE_URL", "http://127.0.0.1:8001").rstrip("/")
RELATIVE_URLS = False
SITE_CONFIG = siteconfig.load_site_config(PATH)
SITENAME = SITE_CONFIG.name
SITESUBTITLE = SITE_CONFIG.tagline
DEFAULT_LANG = SITE_CONFIG.lang  # the theme's words: French, or a catalogue of the theme
if check_lang(DEFAULT_LANG, THEME):
    raise siteconfig.SiteConfigError(
        Path(PATH) / siteconfig.FILENAME, "lang", check_lang(DEFAULT_LANG, THEME)
    )
TIMEZONE = "Europe/Paris"
BUILD_NOW = os.environ.get("RELAIS_BUILD_NOW", "")

PLUGINS = [
    "relais.pelican.reader",
    "relais.pelican.taxonomies",
    "relais.pelican.listings",
    "relais.pelican.images",
    "relais.pelican.i18n",
    "relais.pelican.context",
    "relais.pelican.calendar",
    "relais.pelican.articles",
    "relais.pelican.links",
    "relais.pelican.addresses",
    "relais.pelican.search",
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
ARTICLE_TRANSLATION_ID = None  # no translations: two files with one URL are an error

# Content
ARTICLE_PATHS = list(SECTIONS)
ARTICLE_EXCLUDES = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = list(CONTENT_FOLDERS)
STATIC_EXCLUDE_SOURCES = True
IGNORE_FILES = [".#*", "*.tmp", ".*"]
USE_FOLDER_AS_CATEGORY = True
DEFAULT_CATEGORY = "actualites"
SLUGIFY_SOURCE = "basename"

# URLs: one folder per page, so every address ends with a slash and never with .html
ARTICLE_URL = ARTICLE_LANG_URL = "{category}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = "{category}/{slug}/index.html"
DRAFT_URL = DRAFT_SAVE_AS = ""
PAGE_URL = PAGE_LANG_URL = "{slug}/"
PAGE_SAVE_AS = PAGE_LANG_SAVE_AS = "{slug}/index.html"
# Listing pages and feeds are planned and written by relais.pelican.listings (front page with
# the newest items, then archives by year in chronological pages): Pelican writes none itself.
CATEGORY_URL = "{slug}/"
TAG_URL = "tags/{slug}/"
AUTHOR_URL = "contributeurs/{slug}/"
CLASSYEAR_URL = "promotions/{slug}/"
GROUP_URL = "groupes/{slug}/"
CATEGORY_SAVE_AS = TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
DIRECT_TEMPLATES = ["404", "search"]
# The search page; its index (Pagefind, by year of items) is in recherche/index/ (relais.search)
SEARCH_URL = "recherche/"
SEARCH_SAVE_AS = "recherche/index.html"
DEFAULT_PAGINATION = 12
PAGINATED_TEMPLATES = {}

# Feeds: full content, the 50 newest items; (Atom, RSS) paths by kind of listing
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = False
RELAIS_FEEDS = {
    "index": ("feeds/all.atom.xml", "feeds/all.rss.xml"),
    "category": ("feeds/{slug}.atom.xml", "feeds/{slug}.rss.xml"),
    "tag": ("feeds/tags/{slug}.atom.xml", "feeds/tags/{slug}.rss.xml"),
    "class_year": ("feeds/promotions/{slug}.atom.xml", "feeds/promotions/{slug}.rss.xml"),
    "group": ("feeds/groupes/{slug}.atom.xml", "feeds/groupes/{slug}.rss.xml"),
}
FEED_ATOM = FEED_RSS = FEED_ALL_ATOM = FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = CATEGORY_FEED_RSS = TAG_FEED_ATOM = TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = TRANSLATION_FEED_RSS = None

# Social images: every article gets a 1200x630 picture for link cards
SOCIAL_IMAGE_SIZE = (1200, 630)
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
