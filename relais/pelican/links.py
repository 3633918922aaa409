"""Links between content files (``{filename}``, ``{static}``, ``{attach}``), and what they
resolve to. An article's page and its feed entries change when a file it links to appears,
moves or disappears: the resolution is part of the article's version."""

from __future__ import annotations

import os
import re
from typing import Any

from pelican import signals

_INTERNAL_LINK = re.compile(r"\{(filename|static|attach)\}([^\"'#?\s]+)")


def link_targets(article: Any) -> set[tuple[str, str]]:
    """(kind, content path) of every file the article links to."""
    folder = os.path.dirname(article.relative_source_path)
    targets = set()
    for kind, target in _INTERNAL_LINK.findall(article._content or ""):
        path = target[1:] if target.startswith("/") else os.path.join(folder, target)
        targets.add((kind, os.path.normpath(path).replace(os.sep, "/")))
    return targets


def resolve_links(article: Any, context: dict[str, Any]) -> None:
    """Set ``relais_links``: each linked file with the URL it has now (None when missing)."""
    state = []
    for kind, path in sorted(link_targets(article)):
        table = context["generated_content"] if kind == "filename" else context["static_content"]
        target = table.get(path)
        state.append((kind, path, getattr(target, "url", None)))
    article.relais_links = tuple(state)


def resolve_all(generators: list[Any]) -> None:
    for generator in generators:
        for article in getattr(generator, "articles", []):
            resolve_links(article, generator.context)


def register() -> None:
    signals.all_generators_finalized.connect(resolve_all)
