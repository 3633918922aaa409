"""Golden output: the generated site of a small content folder, diffed against a stored tree.

After an intended change to the theme or the plugins, regenerate the tree with
``pytest tests/site/test_golden.py --update-golden`` and review the diff before committing.
Each shard of the search index is stored as what it holds (``index.view.json``: pages, words,
filters, decoded), since Pagefind writes its filters in an order that changes between runs.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

from PIL import Image

from tests.support import GOLDEN_EXPECTED, SEARCH_SHARD, search_index_view

TEXT_SUFFIXES = {".html", ".xml", ".ics", ".css", ".txt", ".svg", ".js", ".json"}
SEARCH_VIEW = "index.view.json"


def tree(root: Path) -> dict[str, Path]:
    return {
        rel: p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not SEARCH_SHARD.match(rel := p.relative_to(root).as_posix())
    }


def search_views(root: Path, work: Path) -> dict[str, Path]:
    """Each shard of the search index as one JSON file of what it holds."""
    views = {}
    for name, view in search_index_view(root).items():
        path = work / name / SEARCH_VIEW
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(view, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        views[f"recherche/index/{name}/{SEARCH_VIEW}"] = path
    return views


def test_site_matches_golden_tree(golden_content, build, site_paths, request, tmp_path):
    build()
    root = site_paths.output.resolve()
    actual = tree(root) | search_views(root, tmp_path / "views")
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN_EXPECTED, ignore_errors=True)
        for rel, path in actual.items():
            target = GOLDEN_EXPECTED / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix in TEXT_SUFFIXES:
                shutil.copyfile(path, target)
            else:  # binary files: keep their size in pixels, not their bytes
                with Image.open(path) as img:
                    target.with_name(target.name + ".size").write_text(
                        f"{img.size[0]}x{img.size[1]}\n"
                    )
    expected = {
        p.relative_to(GOLDEN_EXPECTED).as_posix(): p
        for p in sorted(GOLDEN_EXPECTED.rglob("*"))
        if p.is_file()
    }
    expected_names = {n.removesuffix(".size") for n in expected}
    assert sorted(actual) == sorted(expected_names)
    diffs = []
    for rel, path in actual.items():
        if path.suffix in TEXT_SUFFIXES:
            want = expected[rel].read_text(encoding="utf-8")
            got = path.read_text(encoding="utf-8")
            if want != got:
                diffs.append(
                    "".join(
                        difflib.unified_diff(
                            want.splitlines(True),
                            got.splitlines(True),
                            f"expected/{rel}",
                            f"actual/{rel}",
                            n=1,
                        )
                    )[:3000]
                )
        else:
            with Image.open(path) as img:
                assert f"{img.size[0]}x{img.size[1]}\n" == expected[rel + ".size"].read_text()
    assert not diffs, "\n".join(diffs)
