"""Article images: resolve the frontmatter's image, make the 1200x630 picture for link cards,
and put the image in the feeds.

``image`` is a path relative to the content file (``mon-article/photo.jpg`` next to
``actualites/mon-article.md``) or an absolute URL. When ``image_social`` is not given, the social
picture is cropped from the image at build time (centre crop, cached by content hash), so that a
hand-written item gets a proper link card too. The CMS export gives its own ``image_social``,
cropped around the focal point the editor chose.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from feedgenerator import Enclosure
from pelican import signals
from PIL import Image, ImageOps

from relais.contentpaths import BadContentPath, content_path, inside_content
from relais.urls import is_address

logger = logging.getLogger(__name__)
SOCIAL_NAME = "social-1200x630.jpg"


def _site_path(article: Any, relative: str) -> str:
    """Path of a file next to the article's source, relative to the content root; raises
    :class:`~relais.contentpaths.BadContentPath` when it leads outside."""
    return content_path(os.path.dirname(article.get_relative_source_path()), relative)


def _shown(article: Any) -> str:
    """The article's file as errors name it: from the content folder, as the reader does."""
    return f"content/{article.get_relative_source_path()}"


def _local_picture(article: Any, content_root: Path, name: str, value: str) -> str | None:
    """The content path of a picture field, if it stays inside the content folder once
    symbolic links are followed; else None, with an error that says the same whether or not
    the file exists."""
    try:
        rel = _site_path(article, value)
        inside_content(content_root, rel)
    except BadContentPath as exc:
        logger.error("%s: field '%s': %s", _shown(article), name, exc)
        return None
    return rel


def resolve_images(generator: Any) -> None:
    """Set ``image_url``, ``image_size``, ``social_image_url`` and ``social_image_source``."""
    content_root = Path(generator.path)
    siteurl = generator.settings["SITEURL"]
    for article in generator.articles + generator.hidden_articles + generator.drafts:
        resolve_article_images(article, content_root, siteurl)


def resolve_article_images(article: Any, content_root: Path, siteurl: str) -> None:
    item = article.relais
    article.image_url = article.social_image_url = ""
    article.image_size = None
    article.image_enclosure = None
    article.social_image_source = None
    if not item.image:
        return
    if is_address(item.image):
        article.image_url = item.image
        article.social_image_url = item.image_social or item.image
        return
    rel = _local_picture(article, content_root, "image", item.image)
    if rel is None:
        return
    source = content_root / rel
    if not source.is_file():
        logger.error(
            "%s: field 'image': file %s not found; put the picture there or fix the "
            "path (it is relative to the content file).",
            _shown(article),
            rel,
        )
        return
    article.image_url = f"{siteurl}/{rel}"
    try:
        with Image.open(source) as img:
            article.image_size = img.size
            mime = Image.MIME.get(img.format or "", "image/jpeg")
    except OSError as exc:
        logger.error(
            "%s: field 'image': %s is not a picture Pillow can read (%s).",
            _shown(article),
            rel,
            exc,
        )
        return
    article.image_enclosure = (article.image_url, str(source.stat().st_size), mime)
    if item.image_social and not is_address(item.image_social):
        social = _local_picture(article, content_root, "image_social", item.image_social)
        article.social_image_url = f"{siteurl}/{social}" if social else ""
    elif item.image_social:
        article.social_image_url = item.image_social
    else:
        folder = article.save_as.rsplit("/", 1)[0]
        article.social_image_url = f"{siteurl}/{folder}/{SOCIAL_NAME}"
        article.social_image_source = (source, f"{folder}/{SOCIAL_NAME}")


def make_social_image(source: Path, size: tuple[int, int], cache_dir: Path) -> Path:
    """A ``size`` JPEG cropped from ``source``, cached by the source's bytes."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:24]
    cached = cache_dir / f"{digest}-{size[0]}x{size[1]}.jpg"
    if not cached.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        with Image.open(source) as img:
            fitted = ImageOps.fit(ImageOps.exif_transpose(img).convert("RGB"), size)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            fitted.save(tmp, "JPEG", quality=85, optimize=True, progressive=True)
            tmp.replace(cached)
    return cached


def write_social_image(article: Any, settings: dict[str, Any], output: Path) -> str | None:
    """Write the article's generated link-card picture, if it needs one; returns its path."""
    pending = getattr(article, "social_image_source", None)
    if not pending:
        return None
    source, target = pending
    size = tuple(settings.get("SOCIAL_IMAGE_SIZE", (1200, 630)))
    out = output / target
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(make_social_image(source, size, Path(settings["CACHE_PATH"]) / "social"), out)
    return target


#: The context's map of each item's address in the feeds to the item (kept up to date by the
#: incremental builder, which replaces the items a publication changed).
BY_LINK = "_relais_articles_by_link"


def feed_link(context: dict[str, Any], article: Any) -> str:
    """An item's address as its feed entries link it."""
    return f"{context['SITEURL']}/{getattr(article, 'relais_url', None) or article.url}"


def refine_feed_entries(context: dict[str, Any], feed: Any) -> None:
    """Give each feed entry its image as an enclosure, its exact title, an escaped summary and
    an author.

    Pelican strips tags from titles with Markup.striptags, which eats text such as "<10 %"; the
    plain-text summary goes out as HTML, so it is escaped; items credited to nobody are by the
    association.
    """
    by_link = context.get(BY_LINK)
    if by_link is None:
        by_link = context[BY_LINK] = {feed_link(context, a): a for a in context.get("articles", [])}
    for entry in feed.items:
        article = by_link.get(entry["link"])
        if article is None:
            continue
        entry["title"] = article.title
        if entry.get("description") and article.relais.summary:
            entry["description"] = html.escape(article.relais.summary, quote=False)
        if not entry.get("author_name"):
            entry["author_name"] = context["SITENAME"]
        if article.image_enclosure:
            entry["enclosures"] = [Enclosure(*article.image_enclosure)]


def register() -> None:
    signals.article_generator_finalized.connect(resolve_images)
    signals.feed_generated.connect(refine_feed_entries)
