"""Command line of the static site: ``python -m relais build|serve|check``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from relais.buildconfig import BuildError, SitePaths
from relais.contentfile import ContentFileError, load_file
from relais.incremental import build_site
from relais.sections import SECTIONS
from relais.serve import serve


def _paths(args: argparse.Namespace) -> SitePaths:
    paths = SitePaths.from_env()
    if getattr(args, "content", None):
        paths.content = Path(args.content).resolve()
    return paths


def cmd_build(args: argparse.Namespace) -> int:
    paths = _paths(args)
    try:
        result = build_site(paths)
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"Built {result.articles} items, {result.files} files in {result.seconds:.2f} s "
        f"from {paths.content}/ into {result.output_dir}; live at {paths.output}/"
    )
    if not result.articles:
        print(
            f"{paths.content}/ has no items yet: write one (see {paths.content}/README.md), or "
            "run `make run` to load the demo association."
        )
    print("See it with: .venv/bin/python -m relais serve (http://127.0.0.1:8001/)")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    serve(_paths(args).output, args.host, args.port)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    paths = _paths(args)
    files = [Path(f) for f in args.files] or sorted(
        p for key in SECTIONS for p in (paths.content / key).glob("*.md")
    )
    bad = 0
    for path in files:
        try:
            load_file(path)
        except ContentFileError as exc:
            bad += 1
            print(exc, file=sys.stderr)
    print(f"{len(files) - bad} file(s) valid, {bad} with errors.")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relais", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the static site from content/ and make it live")
    build.add_argument("--content", help="content folder (default: content/)")
    serve = sub.add_parser("serve", help="serve the built site")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    check = sub.add_parser("check", help="validate content files")
    check.add_argument("files", nargs="*")
    check.add_argument("--content")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return {"build": cmd_build, "serve": cmd_serve, "check": cmd_check}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
