"""An S3-compatible server on loopback for the deploy tests: moto's server (the same WSGI
application as ``moto_server``), run in a thread on a free port, with a log of the requests it
answered and a switch that makes it stop answering after a number of uploads."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from relais.deploy import MARKER, S3Target

REGION = "eu-west-3"
KEYS = {"access_key_id": "relais-test-key", "secret_access_key": "relais-test-secret-value"}


@dataclass
class Request:
    method: str
    key: str  # the object's key for object requests, "" for the bucket's own


@dataclass
class S3Server:
    port: int = 0
    log: list[Request] = field(default_factory=list)
    #: after this many object uploads, every request is answered 503 (the storage is down)
    fail_after: int | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._puts = 0
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._app = DomainDispatcherApplication(create_backend_app)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __call__(self, environ: dict, start_response: Any) -> Any:
        parts = environ.get("PATH_INFO", "").lstrip("/").split("/", 1)
        method = environ["REQUEST_METHOD"]
        key = parts[1] if len(parts) > 1 else ""
        with self._lock:
            if self.fail_after is not None and self._puts >= self.fail_after:
                start_response("503 Service Unavailable", [("Content-Type", "application/xml")])
                return [b"<Error><Code>ServiceUnavailable</Code></Error>"]
            if method == "PUT" and key:
                self._puts += 1
            self.log.append(Request(method, key))
        return self._app(environ, start_response)

    def start(self) -> S3Server:
        self._server = make_server(
            "127.0.0.1", self.port, self, threaded=True, request_handler=MotoRequestHandler
        )
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(10)
            self._server = None

    def fail_after_more(self, uploads: int) -> None:
        """Stop answering after ``uploads`` more object uploads."""
        with self._lock:
            self.fail_after = self._puts + uploads

    def heal(self) -> None:
        with self._lock:
            self.fail_after, self._puts = None, 0

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def puts(self) -> list[str]:
        """The keys uploaded, in the order the server received them (the marker left out)."""
        return [r.key for r in self.log if r.method == "PUT" and not r.key.endswith(MARKER)]

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10)


def client(server: S3Server) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key_id"],
        aws_secret_access_key=KEYS["secret_access_key"],
        config=Config(retries={"max_attempts": 1}),
    )


def new_bucket(server: S3Server) -> str:
    name = f"relais-{uuid.uuid4().hex[:12]}"
    client(server).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return name


def target(server: S3Server, bucket: str, prefix: str = "", **extra: Any) -> S3Target:
    return S3Target(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=server.url,
        region=REGION,
        max_attempts=1,
        **KEYS,
        **extra,
    )


def bucket_files(server: S3Server, bucket: str, prefix: str = "") -> dict[str, bytes]:
    """Every object under ``prefix`` (the deploy's marker left out): path → bytes."""
    s3 = client(server)
    found: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            path = obj["Key"][len(prefix) :]
            if path != MARKER:
                found[path] = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
    return found


def tree_files(tree: Path) -> dict[str, bytes]:
    root = tree.resolve()  # the live tree behind the output link
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def head(server: S3Server, bucket: str, key: str) -> dict[str, Any]:
    return client(server).head_object(Bucket=bucket, Key=key)
