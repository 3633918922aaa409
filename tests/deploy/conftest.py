from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401
from tests.deploy.support import S3Server, new_bucket


@pytest.fixture
def s3() -> Iterator[S3Server]:
    """moto's S3 server on a free loopback port, emptied and stopped after the test."""
    server = S3Server().start()
    try:
        yield server
    finally:
        server.heal()
        server.reset()
        server.stop()


@pytest.fixture
def bucket(s3: S3Server) -> str:
    return new_bucket(s3)


class PurgeReceiver:
    """A loopback HTTP server that records the purge requests it gets."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.headers: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.calls.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/purge"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def purge_receiver() -> Iterator[PurgeReceiver]:
    receiver = PurgeReceiver()
    yield receiver
    receiver.close()
