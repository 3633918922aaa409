"""``python -m syndication compose FILE.md``: the post each network would receive, without sending.

For content written by hand: reads a file of ``content/`` (``relais.contentfile.load_file``),
composes the post of every network (or of ``--network NAME``) and prints it; with ``--json``,
one JSON object per network and per line, holding the exact body of the call that would create
the post. Nothing is uploaded: a Bluesky card image shows as ``{"pending_upload": <path>}``.
Exit codes: 0 done, 2 the file or the arguments cannot be used (the message says why).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from syndication.compose import default_composer
from syndication.errors import ComposeError, NotSyndicable
from syndication.models import Item
from syndication.networks import registry

#: What ``--json`` cannot show: a card picture is uploaded only when really posting.
UPLOAD_NOTES = {
    "bluesky": "thumb is uploaded (uploadBlob) only when really posting",
    "linkedin": "thumbnail is uploaded (Images API, initializeUpload) only when really posting",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m syndication", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    compose = commands.add_parser("compose", help="show the post each network would receive")
    compose.add_argument("file", help="a Markdown file of content/ (YAML frontmatter + body)")
    compose.add_argument("--network", choices=list(registry), help="only this network")
    compose.add_argument(
        "--site-url", default="", help="the static site's address, for items without canonical_url"
    )
    compose.add_argument("--json", action="store_true", help="one JSON object per network")
    return parser


def _load(path: str, site_url: str) -> Item:
    from relais.contentfile import load_file

    file = Path(path)
    if not file.is_file():
        raise ComposeError(f"{path}: no such file.")
    content = load_file(file)
    return Item.from_content_item(
        content, site_url=site_url, content_dir=str(file.resolve().parent.parent)
    )


def compose_command(args: argparse.Namespace) -> int:
    from relais.contentfile import ContentFileError

    try:
        item = _load(args.file, args.site_url)
    except (ContentFileError, ComposeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    names = [args.network] if args.network else list(registry)
    for name in names:
        network = registry.create(name)
        try:
            post = default_composer.compose(item, network)
        except NotSyndicable as exc:
            if args.json:
                print(
                    json.dumps(
                        {"network": name, "item": item.key, "skipped": str(exc)}, ensure_ascii=False
                    )
                )
            else:
                print(f"== {network.label}: skipped — {exc}\n")
            continue
        except ComposeError as exc:
            print(f"error: {network.label}: {exc}", file=sys.stderr)
            return 2
        body = network.request_body(post)
        if args.json:
            record = {
                "network": name,
                "item": item.key,
                "length": post.length,
                "limit": post.limit,
                "endpoint": network.create_endpoint,
                "body": body,
            }
            if name in UPLOAD_NOTES and post.card is not None and post.card.image is not None:
                record["note"] = UPLOAD_NOTES[name]
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(f"== {network.label} ({post.length}/{post.limit}) — {network.create_endpoint}")
            print(post.text)
            if post.card is not None:
                print(f"[card] {post.card.title} — {post.card.url}")
            elif network.link_in_text == "none":
                print(f"[link] {post.link}")
            print()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "compose":
        return compose_command(args)
    return 2  # pragma: no cover (argparse requires a command)
