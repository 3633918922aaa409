"""A small static file server for the built sites (``make run`` serves them on port 8001).

It follows the ``site/output`` link at every request, so a new build is served as soon as it is
published, and answers missing pages with the site's own ``404.html``. A federation's other
associations, whose sites are in ``site/<folder>/output``, are served under ``/<folder>/`` (their
default public address, ``RELAIS_SITE_URL/<folder>``). For production, any web server pointed at
those folders does the same job.
"""

from __future__ import annotations

import functools
import os
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class SiteHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
        ".xml": "application/xml; charset=utf-8",
        ".ics": "text/calendar; charset=utf-8",
    }

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        name = os.fspath(path)
        if name.endswith(".atom.xml"):
            return "application/atom+xml; charset=utf-8"
        if name.endswith(".rss.xml"):
            return "application/rss+xml; charset=utf-8"
        return super().guess_type(path)

    #: ``{folder: output}``: other sites served under ``/<folder>/``
    mounts: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        folder, _sep, rest = path.lstrip("/").partition("/")
        mount = self.mounts.get(folder)
        if mount is None:
            return super().translate_path(path)
        root, self.directory = self.directory, str(mount)
        try:
            return super().translate_path("/" + rest)
        finally:
            self.directory = root

    def _site_root(self) -> Path:
        folder = self.path.lstrip("/").partition("/")[0]
        return self.mounts.get(folder) or Path(self.directory)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self._site_root() / "404.html"
        if code == HTTPStatus.NOT_FOUND and page.is_file():
            body = page.read_bytes()
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if os.environ.get("RELAIS_SERVE_QUIET") != "1":
            super().log_message(format, *args)


def other_sites(directory: Path) -> dict[str, Path]:
    """The other associations' sites beside ``directory`` (``site/output``): every
    ``site/<folder>/output``, by folder."""
    parent, name = Path(directory).parent, Path(directory).name
    if not parent.is_dir():
        return {}
    return {
        child.name: child / name
        for child in sorted(parent.iterdir())
        if child.is_dir() and (child / name).exists()
    }


def make_server(
    directory: Path,
    host: str = "127.0.0.1",
    port: int = 8001,
    mounts: dict[str, Path] | None = None,
) -> ThreadingHTTPServer:
    """A server of ``directory`` at ``/`` and of each of ``mounts`` at ``/<folder>/`` (by
    default the other associations' sites found beside ``directory``, at each request)."""
    found = mounts

    class Handler(SiteHandler):
        @property  # type: ignore[override]
        def mounts(self) -> dict[str, Path]:
            return found if found is not None else other_sites(directory)

    return ThreadingHTTPServer((host, port), functools.partial(Handler, directory=str(directory)))


def serve(directory: Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    with make_server(directory, host, port) as server:
        address = f"http://{host}:{server.server_address[1]}"
        print(f"Serving {directory} at {address}/", flush=True)
        for folder in other_sites(directory):
            print(f"  and site/{folder}/output at {address}/{folder}/", flush=True)
        server.serve_forever()
