"""Backup and restore: an installation (two associations, items with pictures) is built, backed
up, restored into a fresh database with empty folders by other processes, and its first worker
builds the same sites byte for byte."""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from wagtail.rich_text import RichText

from cms.backup.archive import BackupError, restore
from cms.publishing.models import BuildRecord
from cms.taxonomy.models import ClassYear
from tests.cms.factories import make_image, make_item
from tests.cms.workers import WorkerProcess, wait_until
from tests.federation.builders import association_site
from tests.support import ROOT, SEARCH_SHARD, search_index_view


def tree_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (the live link followed) byte for byte, but the search
    index's shards, compared by what they hold: Pagefind writes a filter's values in an order
    that changes from run to run, and names some files after it (``tests/support.py``)."""
    root = root.resolve()
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not SEARCH_SHARD.match(p.relative_to(root).as_posix())
    }
    files["(search index)"] = json.dumps(search_index_view(root), sort_keys=True).encode()
    return files


@pytest.fixture
def installation(site_tree, settings, tmp_path) -> Iterator[dict]:
    """Two associations with live items (one with pictures in its body and as its hero, a
    class year, tags), exported and built."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # Wagtail keeps renditions there: not those of another test's media
    year = ClassYear.objects.create(year=2012, name="Ada Lovelace")
    body = [
        ("paragraph", RichText("<h2>Un parcours</h2><p>Texte <b>gras</b>.</p>")),
        ("image", {"image": make_image("Banc"), "alt": "Le banc d'essai", "caption": "À Lyon"}),
    ]
    page = make_item(
        site_tree,
        "parcours",
        title="De stagiaire à CTO",
        slug="de-stagiaire-a-cto",
        body=body,
        hero_image=make_image("Hero", colour=(200, 80, 20)),
        hero_alt="Léa Martin au travail",
        alumnus_name="Léa Martin",
        alumnus_class_year=year,
        publish=False,
    )
    page.tags.add("hydrogène")
    page.class_years.add(year)
    page.save_revision().publish()
    make_item(site_tree, "actualites", title="Gala annuel", slug="gala-annuel")
    other = association_site("Alumni Sud", "sud.example.org")
    make_item(other, "actualites", title="Rencontre à Marseille", slug="rencontre-marseille")
    call_command("export_content", "--build", stdout=io.StringIO())
    assert BuildRecord.objects.filter(status="succeeded").count() == 2
    outputs = {
        "": settings.RELAIS_SITE_OUTPUT,
        other["association"].folder: Path(other["association"].output_dir),
    }
    yield {"outputs": outputs, "media": settings.MEDIA_ROOT}
    cache.clear()  # nor leave this media's renditions to the next test (another MEDIA_ROOT)


def environment(base: Path, database_url: str) -> dict[str, str]:
    """A new machine: its own database and empty folders; the same public addresses."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.cms.worker_settings",
        "RELAIS_TASK_BACKEND": "database",
        "DATABASE_URL": database_url,
        "RELAIS_VAR_DIR": str(base / "var"),  # the media are in var/media
        "RELAIS_CONTENT_DIR": str(base / "content"),
        "RELAIS_SITE_OUTPUT": str(base / "site" / "output"),
        "RELAIS_SITE_URL": settings.RELAIS_SITE_URL,
        "RELAIS_CMS_URL": settings.WAGTAILADMIN_BASE_URL,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("RELAIS_TEST_DATABASE_URL", None)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def fresh_database(request, tmp_path):
    """The URL of a database that does not exist yet (SQLite), or is empty (PostgreSQL)."""
    if request.param == "sqlite":
        (tmp_path / "restored").mkdir()
        yield f"sqlite:///{tmp_path / 'restored' / 'relais.sqlite3'}"
        return
    import psycopg

    server = os.environ["RELAIS_TEST_DATABASE_URL"].rsplit("/", 1)[0]
    name = f"ops_restore_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize(
    "fresh_database",
    ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_a_restored_installation_builds_the_same_sites_byte_for_byte(
    installation, fresh_database, tmp_path, settings
):
    before = {folder: tree_files(path) for folder, path in installation["outputs"].items()}
    assert any(name.endswith(".jpg") for name in before[""])  # the pictures are in the site
    archive = tmp_path / "backup" / "relais.tar.gz"
    call_command("relais_backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", "database.jsonl"} <= set(names)
    assert any(n.startswith("media/original_images/") for n in names)
    assert "content/alumni-sud/actualites/rencontre-marseille.md" in names

    machine = tmp_path / "restored"
    env = environment(machine, fresh_database)
    done = manage(env, "relais_restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert (machine / "var" / "media" / "original_images").is_dir()
    assert not (machine / "site").exists()  # nothing built yet

    # the new machine's first worker builds every site by itself
    worker = WorkerProcess(tmp_path, "restored")
    worker.env = {**env, "PYTHONPATH": worker.env["PYTHONPATH"]}
    worker.start()
    outputs = {
        "": machine / "site" / "output",
        "alumni-sud": machine / "site" / "alumni-sud" / "output",
    }
    try:
        wait_until(
            lambda: all(p.exists() for p in outputs.values()), 300, "the sites built", worker.log
        )
    finally:
        worker.stop()
        worker.close()
    after = {folder: tree_files(path) for folder, path in outputs.items()}
    assert set(after) == set(before)
    for folder in before:
        assert sorted(after[folder]) == sorted(before[folder]), folder
        different = [n for n in before[folder] if before[folder][n] != after[folder][n]]
        assert different == [], folder

    # a second restore into what is no longer empty is refused, and replaces it with --force
    again = manage(env, "relais_restore", str(archive))
    assert again.returncode == 1
    assert "--force" in again.stderr and "the database" in again.stderr
    forced = manage(env, "relais_restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr


def test_restore_refuses_what_is_not_a_backup_or_not_empty(installation, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="notes.txt")
    with pytest.raises(BackupError, match="not a Relais backup"):
        restore(bogus)
    with pytest.raises(BackupError, match="No backup at"):
        restore(tmp_path / "missing.tar.gz")
    archive = tmp_path / "relais.tar.gz"
    call_command("relais_backup", str(archive), stdout=io.StringIO())
    with pytest.raises(BackupError, match="--force") as refused:
        restore(archive)  # this very installation: nothing is touched
    assert "the database" in str(refused.value) and "the content folder" in str(refused.value)
    assert BuildRecord.objects.filter(status="succeeded").count() == 2
