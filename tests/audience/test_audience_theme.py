"""The counter in the built site: present only when ``content/site.yaml`` names a counter,
counting each page with its own path, readable without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from relais.buildconfig import SitePaths
from relais.incremental import build_site
from tests.support import GOLDEN_CONTENT, GOLDEN_NOW, GOLDEN_SITE_URL, copy_tree, env

COUNTER = "https://cms.alumni.example.org/c/p.gif"


@pytest.fixture
def site(tmp_path: Path):
    paths = SitePaths(
        content=tmp_path / "content",
        output=tmp_path / "out" / "output",
        builds=tmp_path / "out" / "builds",
        cache=tmp_path / "out" / "cache",
    )
    copy_tree(GOLDEN_CONTENT, paths.content)

    def build(counter_url: str = "") -> Path:
        config = paths.content / "site.yaml"
        text = re.sub(r"(?m)^counter_url:.*\n", "", config.read_text(encoding="utf-8"))
        if counter_url:
            text += f"counter_url: {counter_url}\n"
        config.write_text(text, encoding="utf-8")
        with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
            result = build_site(paths)
        assert result.files > 10, result
        return paths.output.resolve()

    return build


def pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_no_counter_without_counter_url(site):
    output = site()
    for page in pages(output):
        html = page.read_text(encoding="utf-8")
        assert "p.gif" not in html and "<noscript" not in html, page
        assert "<script>" not in html, page  # only structured data (ld+json) scripts


def test_every_page_counts_itself_when_counter_url_is_set(site):
    output = site(COUNTER)
    checked = 0
    for page in pages(output):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        rel = page.relative_to(output).as_posix()
        path = "/" + rel.removesuffix("index.html")
        # without JavaScript: an image whose address holds the page path, and whose referrer
        # (the full page address, utm_* included) reaches the counter
        noscript = BeautifulSoup(soup.select_one("noscript").decode_contents(), "html.parser")
        img = noscript.img
        assert img["src"] == f"{COUNTER}?p={path}", (rel, img["src"])
        assert img["referrerpolicy"] == "no-referrer-when-downgrade" and img["alt"] == ""
        # with JavaScript: the same path, the utm_* of the address and the referring host
        script = soup.select("script:not([type])")[-1].string
        assert f'p: "{path}"' in script and f'"{COUNTER}"' in script
        assert "utm_source" in script and "document.referrer" in script
        checked += 1
    assert checked > 10
