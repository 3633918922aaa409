"""Helpers shared by the test suite (in the manner of Pelican's tests/support.py)."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image

from relais.search import SHARD_NAME

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN_CONTENT = FIXTURES / "golden" / "content"
GOLDEN_EXPECTED = FIXTURES / "golden" / "expected"
GOLDEN_NOW = "2026-11-25T12:00:00+01:00"
GOLDEN_SITE_URL = "https://alumni.example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_item(
    content: Path, section: str, slug: str, frontmatter: str, body: str = "Texte."
) -> Path:
    path = content / section / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{frontmatter.strip()}\n---\n{body}\n", encoding="utf-8")
    return path


def write_picture(path: Path, size: tuple[int, int] = (1600, 1000), colour=(20, 90, 160)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG")
    return path


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    return dst


@contextlib.contextmanager
def env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """Serve a built site (following the output link) on a free loopback port."""
    from relais.serve import make_server

    server = make_server(directory, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


#: A file of one of the search index's shards (``2024/`` or ``2024-3fa9c21b/``).
SEARCH_SHARD = re.compile(rf"^recherche/index/({SHARD_NAME.pattern})/")


def search_index_view(root: Path) -> dict[str, Any]:
    """What the search index of the site at ``root`` holds, shard by shard, decoded and in a
    fixed order: pages (their fragments), words, filters and metadata. Pagefind writes the
    values of a filter in the order of a hash map, which changes from one run to the next (so
    the names of the filter files and of the metadata file that lists them change too): the
    index is compared through this view, its other files byte for byte."""
    import cbor2

    def decode(path: Path) -> Any:
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        body = data[len(b"pagefind_dcd") :]
        return json.loads(body) if path.suffix == ".pf_fragment" else cbor2.loads(body)

    view: dict[str, Any] = {}
    for shard in sorted((root / "recherche" / "index").glob("[0-9]*")):
        entry = json.loads((shard / "pagefind-entry.json").read_text(encoding="utf-8"))
        languages = {}
        for lang, info in entry["languages"].items():
            version, pages, chunks, filters, sorts, meta_keys = decode(
                shard / f"pagefind.{info['hash']}.pf_meta"
            )[:6]
            languages[lang] = {
                "version": version,
                "wasm": info["wasm"],
                "pages": [
                    decode(shard / "fragment" / f"{page}.pf_fragment") | {"hash": page}
                    for page, _words in pages
                ],
                "words": [decode(shard / "index" / f"{c[2]}.pf_index") for c in chunks],
                "filters": {
                    name: sorted(
                        (value, pages)
                        for value, pages in decode(shard / "filter" / f"{h}.pf_filter")[1]
                    )
                    for name, h in sorted(filters)
                },
                "sorts": sorts,
                "meta_keys": meta_keys,
            }
        files = sorted(
            p.relative_to(shard).as_posix()
            for p in shard.rglob("*")
            if p.is_file() and not p.name.endswith((".pf_meta", ".pf_filter"))
        )
        view[shard.name] = {"languages": languages, "files": files}
    return view
