"""`make site` (``python -m relais build``) as a new user runs it: on the repository's own
``content/`` folder, fresh from a clone, then with hand-written items."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support import GOLDEN_CONTENT, ROOT


def relais(*args: str, content: Path, output: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "RELAIS_CONTENT_DIR": str(content),
        "RELAIS_SITE_OUTPUT": str(output),
        "RELAIS_SITE_URL": "https://alumni.example.org",
    }
    return subprocess.run(
        [sys.executable, "-m", "relais", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_content_folder_is_in_the_repository_with_its_format():
    tracked = subprocess.run(
        ["git", "ls-files", "content"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "content/README.md" in tracked
    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    for field in ("title", "date", "slug", "summary", "image_alt", "event", "site.yaml"):
        assert f"`{field}`" in readme, field


def test_a_fresh_clone_builds_its_empty_site_and_says_what_it_built(tmp_path):
    # what a clone has in content/: the README only
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ROOT / "content" / "README.md", content / "README.md")
    done = relais("build", content=content, output=tmp_path / "site" / "output")
    assert done.returncode == 0, done.stderr
    assert "Built 0 items" in done.stdout
    assert "no items yet" in done.stdout and "make run" in done.stdout
    home = (tmp_path / "site" / "output" / "index.html").read_text(encoding="utf-8")
    assert "<html" in home
    assert not (tmp_path / "site" / "output" / "README").exists()


def test_hand_written_items_are_built_and_counted(tmp_path):
    content = shutil.copytree(GOLDEN_CONTENT, tmp_path / "content")
    done = relais("build", content=content, output=tmp_path / "site" / "output")
    assert done.returncode == 0, done.stderr
    items = len([p for p in content.glob("*/*.md") if p.parent.name != "pages"])
    assert f"Built {items} items" in done.stdout
    assert (
        tmp_path / "site" / "output" / "parcours" / "de-stagiaire-a-cto" / "index.html"
    ).is_file()


def test_a_missing_content_folder_says_what_to_do(tmp_path):
    done = relais("build", content=tmp_path / "nowhere", output=tmp_path / "site" / "output")
    assert done.returncode == 1
    assert "does not exist" in done.stderr and "RELAIS_CONTENT_DIR" in done.stderr
    assert "Traceback" not in done.stderr
