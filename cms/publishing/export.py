"""Export phase: a live page becomes ``content/<section>/<slug>.md`` plus its pictures.

``item_for_page`` maps a page to a :class:`relais.contentfile.ContentItem` (used as is by the
preview, which points pictures at the CMS's renditions), ``export_page`` writes it with its
pictures in ``content/<section>/<slug>/`` and removes whatever a previous export of the same
page left elsewhere (slug change), ``withdraw_page`` removes it all. Every file is written to a
temporary name and renamed, so a build never reads half a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from wagtail.models import Page, Site

from cms.content.models import EventPage, InfoPage, ItemPage
from cms.core.models import AssociationSettings
from cms.federation.models import Association
from relais.contentfile import CareerInfo, ContentItem, EventInfo, StaticPage, dump, dump_page
from relais.siteconfig import FILENAME, SiteConfig, write_site_config

from .markdown import Asset, ImageRef, body_to_markdown
from .models import ContentChange, ExportRecord, SiteRef, SiteState

logger = logging.getLogger(__name__)

HERO_FILTER = "max-1600x1600|format-jpeg|jpegquality-85"
SOCIAL_FILTER = "fill-1200x630|format-jpeg|jpegquality-85"


def content_dir(site: SiteRef) -> Path:
    """The content folder of ``site``'s association."""
    return Association.for_site(site).content_dir


def site_of(page: Page) -> Site:
    """The site (association) a page belongs to; a page outside every site's tree is an error
    that says what to do."""
    site = page.get_site()
    if site is None:
        raise LookupError(
            f"The page {page.pk} ({page.title!r}) is under no site's home page: move it under "
            "the home page of its association to publish it."
        )
    return site


def file_ref(slug: str) -> ImageRef:
    """Assets referenced relative to the content file: ``<slug>/<name>``."""
    return lambda asset: f"{slug}/{asset.name}"


def rendition_ref(asset: Asset) -> str:
    """Assets referenced by their rendition URL on the CMS (previews)."""
    url = asset.image.get_rendition(asset.filter_spec).url
    return url if url.startswith("http") else settings.WAGTAILADMIN_BASE_URL + url


def item_for_page(
    page: ItemPage, image_ref: ImageRef | None = None
) -> tuple[ContentItem, list[Asset]]:
    """The content item for ``page`` and the pictures it refers to."""
    page = page.specific
    ref = image_ref or file_ref(page.slug)
    assets: list[Asset] = []
    body = body_to_markdown(page.body, ref, assets)
    if addendum := page.export_addendum():
        body = f"{body.rstrip()}\n\n{addendum}\n" if body.strip() else f"{addendum}\n"
    published = page.first_published_at or page.last_published_at or timezone.now()
    # Wagtail stamps both with the same instant at the first publication: any later publication
    # is a correction that feed readers and search engines must see (Atom <updated>, sitemap)
    modified = (
        page.last_published_at
        if page.last_published_at and page.last_published_at > published
        else None
    )
    item = ContentItem(
        title=page.title,
        date=timezone.localtime(published),
        modified=timezone.localtime(modified) if modified else None,
        slug=page.slug,
        section=page.section_key,
        summary=page.summary,
        tags=sorted(page.tags.names(), key=str.casefold),
        class_years=[str(y) for y in sorted(page.class_years.all(), key=lambda y: -y.year)],
        groups=sorted(g.name for g in page.groups.all()),
        contributors=[c.name for c in page.contributors.all().order_by("name")],
        canonical_url=page.canonical_url or page.static_url,
        cms_id=page.pk,
        body=body,
    )
    if page.hero_image_id:
        hero = Asset("hero.jpg", page.hero_image, HERO_FILTER)
        social = Asset("social-1200x630.jpg", page.hero_image, SOCIAL_FILTER)
        assets += [hero, social]
        item.image, item.image_social = ref(hero), ref(social)
        item.image_alt, item.image_caption = page.hero_alt, page.hero_caption
    if hasattr(page, "alumnus_name"):
        item.career = CareerInfo(
            alumnus=page.alumnus_name,
            class_year=str(page.alumnus_class_year) if page.alumnus_class_year_id else "",
            position=page.position,
            organisation=page.organisation,
            sector=page.get_sector_display() if page.sector else "",
        )
    if isinstance(page, EventPage):
        item.event = EventInfo(
            start=timezone.localtime(page.start),
            end=timezone.localtime(page.end) if page.end else None,
            location=page.location,
            organiser=page.organiser,
            registration_url=page.registration_url,
        )
        if page.organiser_class_year_id and str(page.organiser_class_year) not in item.class_years:
            item.class_years.append(str(page.organiser_class_year))
        if page.organiser_group_id and page.organiser_group.name not in item.groups:
            item.groups.append(page.organiser_group.name)
    return item, assets


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_assets(folder: Path, assets: list[Asset]) -> None:
    """Write the pictures into ``folder`` and remove the ones no longer used."""
    keep = set()
    for asset in assets:
        rendition = asset.image.get_rendition(asset.filter_spec)
        with rendition.file.open("rb") as fh:
            _write_atomic(folder / asset.name, fh.read())
        keep.add(asset.name)
    if folder.is_dir():
        for old in folder.iterdir():
            if old.name not in keep and old.is_file():
                old.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


def _remove(site: SiteRef, relative_md: str, assets_dir: str) -> None:
    root = content_dir(site)
    (root / relative_md).unlink(missing_ok=True)
    if assets_dir:
        shutil.rmtree(root / assets_dir, ignore_errors=True)


def publish_requested_at(page: Page, previous: ExportRecord | None) -> dt.datetime | None:
    """When the publish action that this export carries happened, if there is one to measure
    the delay to the site from: Wagtail sets ``last_published_at`` to the moment it publishes a
    revision, so it is never earlier than the revision it published. An earlier date was set by
    hand (an imported or demo item, dated back): no delay. The same revision exported again
    carries no new action either (a re-export, a retried task), unless the first export of it
    has not gone live yet."""
    published, revision = page.last_published_at, page.live_revision
    if published is None or revision is None or published < revision.created_at:
        return None
    if previous is not None and previous.revision_id == revision.pk and not previous.withdrawn:
        return previous.publish_requested_at if previous.live_at is None else None
    return published


def _leave_previous(previous: ExportRecord | None, site: Site, relative: str) -> tuple[str, ...]:
    """Remove what an earlier export of the same page left at another place (a new slug, or
    another site's folder); returns the paths of this site that changed with it."""
    if previous is None or previous.withdrawn:
        return ()
    if previous.site_id not in (None, site.pk):
        old_site = previous.site_id
        _remove(old_site, previous.path, previous.assets_dir)
        ContentChange.record(old_site, SiteState.bump(old_site), previous.path, previous.assets_dir)
        return ()
    if previous.path != relative:
        _remove(site, previous.path, previous.assets_dir)
        logger.info("Moved %s to %s", previous.path, relative)
    return (previous.path, previous.assets_dir)


def export_page(page: ItemPage | InfoPage) -> ExportRecord:
    """Write the live version of ``page`` into its site's content folder and record where it
    went."""
    page = page.specific
    if isinstance(page, InfoPage):
        return _export_info_page(page)
    site = site_of(page)
    item, assets = item_for_page(page)
    root = content_dir(site)
    relative = item.relative_path
    folder = f"{item.section}/{item.slug}"
    previous = ExportRecord.objects.filter(page_id=page.pk).first()
    _write_assets(root / folder, assets)
    _write_atomic(root / relative, dump(item).encode("utf-8"))
    left = _leave_previous(previous, site, relative)
    version = SiteState.bump(site)
    ContentChange.record(site, version, relative, folder, *left)
    record, _ = ExportRecord.objects.update_or_create(
        page_id=page.pk,
        defaults={
            "site": site,
            "path": relative,
            "assets_dir": folder if assets else "",
            "title": page.title[:300],
            "url": page.static_url,
            "revision_id": page.live_revision_id,
            "published_at": page.last_published_at,
            "publish_requested_at": publish_requested_at(page, previous),
            "exported_at": timezone.now(),
            "content_version": version,
            "live_at": None,
            "withdrawn": False,
        },
    )
    logger.info("Exported page %s to %s", page.pk, relative)
    return record


def _export_info_page(page: InfoPage) -> ExportRecord:
    site = site_of(page)
    relative = f"pages/{page.slug}.md"
    assets: list[Asset] = []
    body = body_to_markdown(page.body, file_ref(page.slug), assets)
    info = StaticPage(title=page.title, slug=page.slug, body=body)
    text = dump_page(info)
    root = content_dir(site)
    _write_assets(root / "pages" / page.slug, assets)
    _write_atomic(root / relative, text.encode("utf-8"))
    previous = ExportRecord.objects.filter(page_id=page.pk).first()
    left = _leave_previous(previous, site, relative)
    version = SiteState.bump(site)
    ContentChange.record(site, version, relative, f"pages/{page.slug}", *left)
    record, _ = ExportRecord.objects.update_or_create(
        page_id=page.pk,
        defaults={
            "site": site,
            "path": relative,
            "assets_dir": f"pages/{page.slug}" if assets else "",
            "title": page.title[:300],
            "url": f"{Association.for_site(site).public_url}/{page.slug}/",
            "revision_id": page.live_revision_id,
            "published_at": page.last_published_at,
            "publish_requested_at": publish_requested_at(page, previous),
            "exported_at": timezone.now(),
            "content_version": version,
            "live_at": None,
            "withdrawn": False,
        },
    )
    return record


def pages_behind(site: SiteRef, check_files: bool = False) -> tuple[list[int], list[int]]:
    """Pages of ``site`` whose live version is not in its content folder (to export), and
    pages exported there that are no longer live (to withdraw). ``check_files`` also counts a
    record whose file is missing as not exported (one ``stat`` per page)."""
    site = site if isinstance(site, Site) else Site.objects.get(pk=site)
    pages = Page.objects.type(ItemPage, InfoPage).descendant_of(site.root_page, inclusive=True)
    live = dict(pages.live().values_list("pk", "live_revision_id"))
    records = {
        page_id: (path, revision_id, withdrawn)
        for page_id, path, revision_id, withdrawn in ExportRecord.objects.filter(
            site=site
        ).values_list("page_id", "path", "revision_id", "withdrawn")
    }
    root = content_dir(site)
    to_export = []
    for page_id, revision_id in sorted(live.items()):
        record = records.get(page_id)
        if (
            record is None
            or record[2]
            or record[1] != revision_id
            or (check_files and not (root / record[0]).is_file())
        ):
            to_export.append(page_id)
    to_withdraw = sorted(
        page_id
        for page_id, (_path, _revision, withdrawn) in records.items()
        if not withdrawn and page_id not in live
    )
    return to_export, to_withdraw


def withdraw_page(page_id: int) -> ExportRecord | None:
    """Remove a page's content file and pictures (unpublished or deleted)."""
    record = ExportRecord.objects.filter(page_id=page_id, withdrawn=False).first()
    if record is None:
        return None
    _remove(record.site_id, record.path, record.assets_dir)
    record.withdrawn = True
    record.content_version = SiteState.bump(record.site_id)
    ContentChange.record(record.site_id, record.content_version, record.path, record.assets_dir)
    record.live_at = None
    record.save(update_fields=["withdrawn", "content_version", "live_at"])
    logger.info("Withdrew page %s (%s)", page_id, record.path)
    return record


def site_config(site: SiteRef) -> SiteConfig:
    """The ``site.yaml`` the association settings of ``site`` make."""
    site = site if isinstance(site, Site) else Site.objects.get(pk=site)
    return AssociationSettings.for_site(site).to_site_config()


def site_config_digest(config: SiteConfig | None) -> str:
    return hashlib.sha256(config.to_yaml().encode()).hexdigest() if config else ""


def export_site_config(site: SiteRef) -> Path:
    """Write the ``site.yaml`` of ``site``'s content folder from its association settings, and
    remember what was written (the recovery exports it again when the settings differ)."""
    config = site_config(site)
    digest = site_config_digest(config)
    written = content_dir(site) / FILENAME
    if (
        digest == SiteState.get(site).site_config_digest
        and written.is_file()
        and written.read_text(encoding="utf-8") == config.to_yaml()
    ):
        return written  # saved again unchanged: no new version, no rebuild of the whole site
    path = write_site_config(content_dir(site), config)
    version = SiteState.bump(site)
    ContentChange.record(site, version, "site.yaml")
    SiteState.objects.filter(site_id=_id(site)).update(site_config_digest=digest)
    return path


def write_generated_page(site: SiteRef, slug: str, page: StaticPage | None) -> bool:
    """Write ``content/pages/<slug>.md``, a page the CMS makes itself (see
    :mod:`cms.core.pages`), or remove it when ``page`` is ``None``, and record the change for
    the next build. False when the folder already holds exactly that (no new version)."""
    relative = f"pages/{slug}.md"
    path = content_dir(site) / relative
    if page is None:
        if not path.exists():
            return False
        path.unlink()
    else:
        data = dump_page(page).encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            return False
        _write_atomic(path, data)
    ContentChange.record(site, SiteState.bump(site), relative)
    logger.info("Wrote the generated page %s of site %s", relative, _id(site))
    return True


def site_config_exported(site: SiteRef) -> bool:
    """Whether ``site.yaml`` was last written from the association settings as they are now.
    A file edited by hand since is not the CMS's concern: only the settings are compared."""
    return site_config_digest(site_config(site)) == SiteState.get(site).site_config_digest


def _id(site: SiteRef) -> int:
    return site if isinstance(site, int) else site.pk
