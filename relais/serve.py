"""A small static file server for the built site (``make run`` serves it on port 8001).

It follows the ``site/output`` link at every request, so a new build is served as soon as it is
published, and answers missing pages with the site's own ``404.html``. For production, any web
server pointed at ``site/output/`` does the same job.
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

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
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


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8001) -> ThreadingHTTPServer:
    handler = functools.partial(SiteHandler, directory=str(directory))
    return ThreadingHTTPServer((host, port), handler)


def serve(directory: Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    with make_server(directory, host, port) as server:
        print(f"Serving {directory} at http://{host}:{server.server_address[1]}/", flush=True)
        server.serve_forever()
