"""Small builders for pages and images used across the CMS tests."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.rich_text import RichText

from cms.content.models import ITEM_MODELS


def make_image(title: str = "Photo", size=(1600, 1000), colour=(30, 120, 200)) -> Any:
    buf = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buf, "JPEG")
    buf.seek(0)
    image = get_image_model()(title=title, file=ImageFile(buf, name=f"{title.lower()}.jpg"))
    image.save()
    return image


def make_item(
    tree: dict,
    section: str = "actualites",
    *,
    publish: bool = True,
    title: str = "Nomination de Léa Martin",
    slug: str = "nomination-lea-martin",
    summary: str = "Léa Martin (promo 2012) prend la direction technique.",
    body: list | None = None,
    **fields: Any,
) -> Any:
    model = ITEM_MODELS[section]
    page = model(
        title=title,
        slug=slug,
        summary=summary,
        body=body if body is not None else [("paragraph", RichText("<p>Bravo !</p>"))],
        live=publish,
        **fields,
    )
    tree["indexes"][section].add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page


def root_page() -> Any:
    """Wagtail's root page, made again (with the default locale and the root collection of
    images) when a live-server test before this one flushed the database, the rows that
    migrations create included."""
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
