"""Fixtures of the audience tests: a built site's pages on disk (the counter only counts pages
the site has) and browsers' user agents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

SITE = "https://alumni.example.org"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
PAGES = [
    "index.html",
    "actualites/index.html",
    "actualites/nomination/index.html",
    "parcours/de-stagiaire-a-cto/index.html",
    "404.html",
]


@pytest.fixture
def built_site(settings, tmp_path) -> Iterator[Path]:
    settings.RELAIS_SITE_URL = SITE
    output = tmp_path / "site" / "output"
    for page in PAGES:
        (output / page).parent.mkdir(parents=True, exist_ok=True)
        (output / page).write_text("<!doctype html><title>x</title>", encoding="utf-8")
    (output / "theme" / "css").mkdir(parents=True)
    (output / "theme" / "css" / "site.css").write_text("body{}")
    settings.RELAIS_SITE_OUTPUT = output
    yield output
