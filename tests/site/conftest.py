from __future__ import annotations

from pathlib import Path

import pytest

from relais.buildconfig import SitePaths
from relais.incremental import BuildResult, build_site
from tests.support import GOLDEN_CONTENT, GOLDEN_NOW, GOLDEN_SITE_URL, copy_tree, env


@pytest.fixture
def site_paths(tmp_path: Path) -> SitePaths:
    return SitePaths(
        content=tmp_path / "content",
        output=tmp_path / "out" / "output",
        builds=tmp_path / "out" / "builds",
        cache=tmp_path / "out" / "cache",
    )


@pytest.fixture
def golden_content(site_paths: SitePaths) -> Path:
    return copy_tree(GOLDEN_CONTENT, site_paths.content)


@pytest.fixture
def build(site_paths: SitePaths):
    def run(**overrides) -> BuildResult:
        with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
            return build_site(site_paths, **overrides)

    return run
