"""One archive holds a whole installation: its database, the content folders of every
association and the uploaded media; :func:`back_up` writes it, :func:`restore` puts it back into
an empty installation.

The archive is a ``.tar.gz`` of:

- ``manifest.json``: the format, when and from which database engine it was made, the
  migrations the database had, and how many rows, content files and media files it holds;
- ``database.jsonl``: every row of every table, one JSON object a line, in Django's own
  serialisation (the ``jsonl`` format of ``dumpdata``, with primary keys kept as they are and
  dates to the microsecond). It restores on SQLite and PostgreSQL alike (a SQLite installation
  can move to PostgreSQL this way), and keeps Wagtail's page tree exactly: the tree is columns of
  the page rows (path, depth, numchild), restored with their ids. Left out: sessions (everyone
  signs in again) and Wagtail's search index, which is rebuilt after a restore;
- ``content/``: ``RELAIS_CONTENT_DIR`` as it is (each association's folder is inside it);
- ``media/``: every file of the default storage (images, their renditions, documents).

The builds (``site/builds/``, ``site/output``) are not in it: they are made again from
``content/``.

A restore refuses a database, content folder or media storage that is not empty (``force``
replaces them). It migrates the database to the state the archive was made in, loads the rows
(``loaddata``: constraints checked once everything is in, signals sent as ``raw`` so that no
handler acts on a half-loaded database), applies the migrations the code has beyond the
archive's, rebuilds the search index, and puts the files back.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.publishing.models import SiteState

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
CONTENT = "content"
MEDIA = "media"

#: Apps whose rows are not kept: sessions (sign in again), the search index (rebuilt).
EXCLUDED_APPS = {"sessions", "wagtailsearch"}


class BackupError(Exception):
    """What stops a backup or a restore, saying what to do."""


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder, but dates and times to the microsecond (Django's own keeps
    milliseconds, which would change what a restored installation shows and sorts)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


@dataclass
class Summary:
    rows: int = 0
    content_files: int = 0
    media_files: int = 0
    tables: dict[str, int] = field(default_factory=dict)


# -- backing up -----------------------------------------------------------------------------------


def kept_models(using: str = DEFAULT_DB_ALIAS) -> list[type]:
    """The models whose rows the archive keeps: every concrete table Django migrates, the
    content types first (Wagtail's pages and tasks look theirs up as they are made)."""
    kept = [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.app_label not in EXCLUDED_APPS
        and router.allow_migrate_model(using, model)
    ]
    return sorted(kept, key=lambda model: model is not ContentType)


def _applied_migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file of ``storage``, sorted (a folder that does not exist yet has none)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield str(PurePosixPath(folder, name)) if folder else name
    for sub in sorted(folders):
        yield from storage_files(storage, str(PurePosixPath(folder, sub)) if folder else sub)


def _dump_database(target: Path, using: str, summary: Summary) -> None:
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with target.open("w", encoding="utf-8") as stream, transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # one snapshot for every table
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in kept_models(using):
            rows = model._base_manager.using(using).order_by("pk")
            count = 0

            def counted(queryset: Any) -> Iterator[Any]:
                nonlocal count
                for row in queryset.iterator(chunk_size=2000):
                    count += 1
                    yield row

            serializers.serialize("jsonl", counted(rows), stream=stream, cls=ExactEncoder)
            summary.tables[model._meta.label] = count
            summary.rows += count


def back_up(path: Path, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write the archive of this installation to ``path`` (a ``.tar.gz``); returns what it
    holds. The database is read in one transaction (on PostgreSQL a repeatable-read snapshot,
    while the admin and the workers go on writing; on SQLite writers wait until it is read)."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder: give the path of the archive to write.")
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    partial = path.with_name(path.name + ".partial")
    content = Path(settings.RELAIS_CONTENT_DIR)
    with tempfile.TemporaryDirectory(prefix="relais-backup-") as tmp:
        dump = Path(tmp) / DATABASE
        _dump_database(dump, using, summary)
        content_files = sorted(p for p in content.rglob("*") if p.is_file())
        media = list(storage_files(default_storage))
        summary.content_files, summary.media_files = len(content_files), len(media)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": connections[using].vendor,
            "migrations": _applied_migrations(using),
            "rows": summary.rows,
            "tables": summary.tables,
            "content_files": summary.content_files,
            "media_files": summary.media_files,
        }
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
            tar.add(dump, arcname=DATABASE)
            for file in content_files:
                tar.add(file, arcname=f"{CONTENT}/{file.relative_to(content).as_posix()}")
            for name in media:
                info = tarfile.TarInfo(f"{MEDIA}/{name}")
                info.size = default_storage.size(name)
                info.mtime = int(default_storage.get_modified_time(name).timestamp())
                with default_storage.open(name, "rb") as handle:
                    tar.addfile(info, handle)
    partial.replace(path)  # a backup cut short never passes for a whole one
    return summary


# -- restoring ------------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        handle = tar.extractfile(member)
        manifest = json.loads(handle.read()) if handle else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or "format" not in manifest:
        raise BackupError(
            "This file is not a Relais backup (no manifest.json): give an archive written by "
            "manage.py relais_backup."
        )
    if manifest["format"] != FORMAT:
        raise BackupError(
            f"This backup is in format {manifest['format']}, this Relais reads format {FORMAT}: "
            "restore it with the version of Relais that wrote it."
        )
    return manifest


def database_is_empty(using: str = DEFAULT_DB_ALIAS) -> bool:
    """No table yet, or only what ``migrate`` makes by itself: no user, no image, no document,
    no page besides Wagtail's root and its welcome page."""
    connection = connections[using]
    if "wagtailcore_page" not in connection.introspection.table_names():
        return True
    return not (
        get_user_model().objects.using(using).exists()
        or get_image_model().objects.using(using).exists()
        or get_document_model().objects.using(using).exists()
        or Page.objects.using(using).count() > 2
    )


def what_is_not_empty(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    found = []
    if not database_is_empty(using):
        found.append(f"the database ({connections[using].settings_dict['NAME']})")
    content = Path(settings.RELAIS_CONTENT_DIR)
    if content.exists() and any(content.iterdir()):
        found.append(f"the content folder ({content})")
    if next(storage_files(default_storage), None) is not None:
        found.append("the media storage (MEDIA_ROOT or the storage in STORAGES)")
    return found


def _migration_targets(executor: MigrationExecutor, applied: set[tuple[str, str]]) -> list:
    """For each app, the last of its migrations the archive had (``None``: none of them)."""
    graph = executor.loader.graph
    targets = []
    for app in sorted(executor.loader.migrated_apps):
        mine = {key for key in applied if key[0] == app}
        if not mine:
            targets.append((app, None))
            continue
        for key in sorted(mine):
            later = {child.key for child in graph.node_map[key].children if child.key[0] == app}
            if not later & mine:
                targets.append(key)
    return targets


def _load_database(manifest: dict[str, Any], dump: Path, using: str) -> None:
    connection = connections[using]
    executor = MigrationExecutor(connection)
    loader = executor.loader
    applied = {(app, name) for app, name in manifest["migrations"]}
    unknown = sorted(applied - set(loader.disk_migrations))
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"This backup was made by a newer Relais (migrations {names}…): install that "
            "version, then restore."
        )
    # a squashed migration stands for those it replaces (the graph knows only one of them)
    for key, squashed in loader.replacements.items():
        if set(squashed.replaces) <= applied:
            applied = (applied - set(squashed.replaces)) | {key}
    applied &= set(loader.graph.nodes)
    # the tables as they were when the archive was made, emptied, then its rows
    targets = _migration_targets(executor, applied)
    executor.migrate(targets, plan=executor.migration_plan(targets))
    call_command("flush", database=using, interactive=False, inhibit_post_migrate=True, verbosity=0)
    ContentType.objects.clear_cache()  # the ids of the archive's, not of what was flushed
    call_command("loaddata", str(dump), database=using, verbosity=0)
    # then the migrations this code has beyond the archive's (and what post_migrate adds)
    call_command("migrate", database=using, interactive=False, verbosity=0)
    call_command("update_index", verbosity=0)
    Site.clear_site_root_paths_cache()
    # No site is built on this installation yet: its first worker's recovery sees every site
    # behind its content and builds it (cms.publishing.recovery, "resume_builds").
    SiteState.objects.using(using).update(built_version=0)


def _put_back_content(tar: tarfile.TarFile, target: Path) -> int:
    members = [m for m in tar.getmembers() if m.name.startswith(f"{CONTENT}/") and m.isfile()]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".relais-restore-", dir=target.parent))
    try:
        tar.extractall(staging, members=members, filter="data")
        restored = staging / CONTENT
        restored.mkdir(exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        restored.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(members)


def _put_back_media(tar: tarfile.TarFile, storage: Storage) -> int:
    count = 0
    for member in tar.getmembers():
        if not (member.name.startswith(f"{MEDIA}/") and member.isfile()):
            continue
        name = member.name.removeprefix(f"{MEDIA}/")
        if ".." in PurePosixPath(name).parts or name.startswith("/"):
            raise BackupError(f"The archive names a media file outside the storage: {name!r}.")
        handle = tar.extractfile(member)
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"The media storage saved {name!r} as {saved!r}: empty it first.")
        count += 1
    return count


def restore(path: Path, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Put the installation of the archive at ``path`` back into this one, which must be
    empty (database, content folder, media storage) unless ``force``: then what they hold is
    replaced."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}: give the path of a file made by relais_backup.")
    try:
        tar = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{path} is not a readable backup ({error}).") from error
    with tar, tempfile.TemporaryDirectory(prefix="relais-restore-") as tmp:
        manifest = read_manifest(tar)
        if not force:
            busy = what_is_not_empty(using)
            if busy:
                raise BackupError(
                    "Restore only into an empty installation; not empty: "
                    + "; ".join(busy)
                    + ". Use a new database and empty folders, or --force to replace them."
                )
        tar.extract(tar.getmember(DATABASE), tmp, filter="data")
        _load_database(manifest, Path(tmp) / DATABASE, using)
        content_files = _put_back_content(tar, Path(settings.RELAIS_CONTENT_DIR))
        media_files = _put_back_media(tar, default_storage)
    return Summary(
        rows=manifest["rows"],
        content_files=content_files,
        media_files=media_files,
        tables=manifest["tables"],
    )
