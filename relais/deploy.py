"""Deploy the live site to S3-compatible object storage, at the cost of what changed.

The builder (:mod:`relais.incremental`) always publishes into the local trees behind
``site/output``; a site with an :class:`S3Target` is then copied from its live tree to a bucket
(AWS S3, MinIO, Ceph, Scaleway, OVH, Cloudflare R2…) by :class:`S3Deployer`, under the builder's
lock, so that two builds of one site never deploy at the same time. The phases of a deploy:

1. **intent**: the paths the builder wrote and deleted are recorded as *pending* in the deploy's
   state (SQLite, beside the live trees) before any request; a full build marks the whole tree;
2. **check**: the bucket's marker (``.relais-deploy.json`` under the prefix) must carry the token
   of the last deploy made from here; when it does not (a first deploy, an emptied or lost
   bucket, another machine deployed since) the bucket is listed and its objects' ETags (the MD5
   of what was uploaded) become the record of what is there, and the whole tree is compared;
3. **compare**: a pending file whose MD5 is the one recorded is not sent again;
4. **upload**, tier by tier, so that a reader never follows a link to a file not there yet:
   assets (pictures, style sheets, scripts, calendars, the search index's files), then the
   items' and pages' HTML, then the listings' HTML (home, sections, tags, archives, former
   addresses), then feeds, sitemaps and ``robots.txt``; each file with its ``Content-Type``
   (``charset=utf-8`` for text) and ``Cache-Control`` (:func:`cache_control`);
5. **delete** what the site no longer has, last;
6. **mark**: a new token is written to the marker and kept here; pending is cleared;
7. **purge**: the CDN hook, if any, gets the paths that changed (a failure is a warning: the
   files are in the bucket, and the short cache of pages ends it anyway).

A deploy that fails (storage unreachable, refused, the process killed) raises
:class:`DeployError` after recording what it did send; what is still pending is sent by the next
deploy, whatever it carries, so nothing is lost.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import mimetypes
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from relais.buildconfig import BuildError

try:  # the ``s3`` extra
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - exercised where the extra is not installed
    boto3 = None
    BotoCoreError = ClientError = OSError  # type: ignore[misc,assignment]

logger = logging.getLogger(__name__)

MARKER = ".relais-deploy.json"
STATE_FILE = "deploy.sqlite3"

#: Cache-Control by kind of file (see README, "Deploying to object storage").
CACHE_SHORT = "public, max-age=300"  # pages, feeds, sitemaps, indexes: change at any publication
CACHE_ASSET = "public, max-age=86400"  # pictures, style sheets, scripts: same name, rare change
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"  # named by their content's hash
#: Pagefind names these files by a hash of what they hold: a new content gets a new name.
FINGERPRINTED = (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter")

ASSETS, PAGES, LISTINGS, FEEDS = range(4)
TIER_NAMES = ("assets", "pages", "listings", "feeds")

_TYPES = mimetypes.MimeTypes()  # Python's own table: the same on every machine
for _type, _ext in (
    ("text/calendar", ".ics"),
    ("image/webp", ".webp"),
    ("image/svg+xml", ".svg"),
    ("text/javascript", ".js"),
    ("application/json", ".json"),
    ("application/xml", ".xml"),
    ("application/wasm", ".wasm"),
    ("font/woff2", ".woff2"),
    ("text/markdown", ".md"),
):
    _TYPES.add_type(_type, _ext)
_TEXT_APPLICATIONS = {
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "image/svg+xml",
}


class DeployError(BuildError):
    """The site was built, but its copy in the bucket is not complete yet. A :class:`BuildError`
    (its ``errors`` are what the admin shows), with its own message: the local site did
    change."""

    #: how its message starts (a build that failed so is worth trying again as it is)
    PREFIX = "Deploy to "

    def __init__(self, target: S3Target, error: BaseException, done: int, left: int):
        progress = (
            f"{done} file(s) of {done + left} were sent or deleted"
            if done or left
            else "Nothing was sent yet"
        )
        self.errors = [
            f"{self.PREFIX}{target.describe()} failed: {type(error).__name__}: {error}. "
            f"{progress}: the next build sends the rest. "
            "Check that the storage answers and that its address, bucket and "
            "credentials (RELAIS_S3_* settings) are right."
        ]
        RuntimeError.__init__(self, self.errors[0])


@dataclass(frozen=True)
class S3Target:
    """Where a site goes: a bucket and a key prefix on an S3-compatible endpoint. Empty
    credentials use boto3's own chain (``AWS_*`` variables, the machine's role)."""

    bucket: str
    prefix: str = ""
    endpoint_url: str = ""
    region: str = ""
    access_key_id: str = field(default="", repr=False)
    secret_access_key: str = field(default="", repr=False, compare=False)
    #: key prefixes below ``prefix`` that belong to other sites (associations deployed under
    #: this one's prefix): never listed, compared or deleted as this site's
    exclude: tuple[str, ...] = ()
    max_attempts: int = 5
    workers: int = 8

    def __post_init__(self) -> None:
        if not self.bucket:
            raise ValueError("An S3 deploy target needs a bucket: set RELAIS_S3_BUCKET.")
        prefix = self.prefix.strip("/")
        object.__setattr__(self, "prefix", f"{prefix}/" if prefix else "")

    @property
    def identity(self) -> str:
        return f"{self.endpoint_url or 'aws'}|{self.bucket}|{self.prefix}"

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"

    def key(self, path: str) -> str:
        return self.prefix + path

    def client(self) -> Any:
        if boto3 is None:
            raise RuntimeError(
                "Deploying to object storage needs boto3: install Relais with the s3 extra "
                "(pip install -e '.[s3]'; `make install` does)."
            )
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url or None,
            region_name=self.region or None,
            aws_access_key_id=self.access_key_id or None,
            aws_secret_access_key=self.secret_access_key or None,
            config=Config(
                connect_timeout=10,
                read_timeout=60,
                retries={"max_attempts": self.max_attempts, "mode": "standard"},
                max_pool_connections=max(10, self.workers),
                # plain Content-MD5 rather than the newer checksums: every S3-compatible
                # server verifies it
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )


@dataclass
class DeployResult:
    uploaded: list[str] = field(default_factory=list)  # tier by tier, as they were answered
    deleted: list[str] = field(default_factory=list)
    full: bool = False
    planned: int = 0  # files to send or delete, once compared
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        return [*self.uploaded, *self.deleted]


# -- what each file is -----------------------------------------------------------------------


def content_type(path: str) -> str:
    """The ``Content-Type`` of an output file, with ``charset=utf-8`` for text."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".atom.xml"):
        kind = "application/atom+xml"
    elif name.endswith(".rss.xml"):
        kind = "application/rss+xml"
    else:
        kind = _TYPES.guess_type(name, strict=False)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_APPLICATIONS:
        return f"{kind}; charset=utf-8"
    return kind


def tier(path: str, pages: Container[str] = ()) -> int:
    """When a file goes up: assets, then items' and pages' HTML (``pages``), then the other
    HTML (listings link to items), then feeds and sitemaps (they link to everything)."""
    if path.endswith(".xml") or path == "robots.txt":
        return FEEDS
    if path.endswith(".html"):
        return PAGES if path in pages else LISTINGS
    return ASSETS


def cache_control(path: str) -> str:
    """Long for files named by their content, a day for other assets, short for the rest."""
    if path.endswith(FINGERPRINTED):
        return CACHE_IMMUTABLE
    if tier(path) == ASSETS and not content_type(path).startswith(
        ("text/html", "text/calendar", "application/json", "text/plain")
    ):
        return CACHE_ASSET
    return CACHE_SHORT


def url_paths(paths: Iterable[str]) -> list[str]:
    """The addresses of output files below the site's root, as a CDN caches them: a folder's
    ``index.html`` is also its folder's address."""
    found: list[str] = []
    for path in paths:
        found.append(f"/{path}")
        if path == "index.html" or path.endswith("/index.html"):
            found.append(f"/{path[: -len('index.html')]}")
    return list(dict.fromkeys(found))


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


# -- what was deployed -----------------------------------------------------------------------


class DeployState:
    """What this machine deployed to a target: path → MD5 of each object sent, the paths still
    to deploy, and the token of the last complete deploy (SQLite, one file beside the trees)."""

    def __init__(self, path: Path, identity: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=WAL;"
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE IF NOT EXISTS objects (path TEXT PRIMARY KEY, md5 TEXT);"
            "CREATE TABLE IF NOT EXISTS pending (path TEXT PRIMARY KEY);"
        )
        if self.get("identity") != identity:  # another bucket or prefix: start again
            with self.transaction():
                self.db.execute("DELETE FROM objects")
                self.db.execute("DELETE FROM meta")
                self.set("identity", identity)
                self.set("full", "1")

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def pending(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT path FROM pending")}

    def add_pending(self, paths: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", ((p,) for p in paths))

    def objects(self, paths: Iterable[str] | None = None) -> dict[str, str]:
        if paths is None:
            return dict(self.db.execute("SELECT path, md5 FROM objects").fetchall())
        found: dict[str, str] = {}
        for path in paths:
            row = self.db.execute("SELECT md5 FROM objects WHERE path = ?", (path,)).fetchone()
            if row:
                found[path] = row[0]
        return found

    def replace_objects(self, objects: dict[str, str]) -> None:
        self.db.execute("DELETE FROM objects")
        self.db.executemany("INSERT INTO objects VALUES (?, ?)", objects.items())

    def sent(self, path: str, md5: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO objects VALUES (?, ?)", (path, md5))
        self.db.execute("DELETE FROM pending WHERE path = ?", (path,))

    def removed(self, path: str) -> None:
        self.db.execute("DELETE FROM objects WHERE path = ?", (path,))
        self.db.execute("DELETE FROM pending WHERE path = ?", (path,))


# -- the deploy ------------------------------------------------------------------------------

#: A CDN purge: called with the changed paths below the site's root (``/actualites/x/``…).
Purge = Callable[[list[str]], None]


class S3Deployer:
    """Copies a site's live tree to its :class:`S3Target` (see the module's phases). One per
    site and process; used under the builder's lock."""

    def __init__(
        self, target: S3Target, state_dir: Path, purge: Purge | None = None, client: Any = None
    ):
        self.target = target
        self.state_path = Path(state_dir) / STATE_FILE
        self.purge = purge
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self.target.client()
        return self._client

    def deploy(
        self, tree: Path, changed: Iterable[str] | None, pages: Container[str] = ()
    ) -> DeployResult:
        """Send what ``changed`` names (paths of ``tree``; None: the whole tree) and whatever an
        earlier deploy left pending. ``pages`` are the HTML outputs of items and pages (the
        others are listings, sent after them)."""
        started = time.perf_counter()
        state = DeployState(self.state_path, self.target.identity)
        try:
            # 1. intent
            with state.transaction():
                if changed is None:
                    state.set("full", "1")
                else:
                    state.add_pending(changed)
            full = state.get("full") == "1"
            pending = state.pending()
            if not full and not pending:
                return DeployResult(seconds=time.perf_counter() - started)
            result = DeployResult(full=full)
            try:
                self._deploy(state, tree, pages, result)
            except (BotoCoreError, ClientError, OSError) as exc:
                done = len(result.changed)
                raise DeployError(self.target, exc, done, max(result.planned - done, 0)) from exc
        finally:
            state.close()
        # 7. purge
        if self.purge is not None and result.changed:
            try:
                self.purge(url_paths(result.changed))
            except Exception as exc:
                result.warnings.append(
                    f"The CDN purge failed ({type(exc).__name__}: {exc}); the changed pages "
                    "stay cached there until their Cache-Control expires (5 minutes)."
                )
                logger.warning("CDN purge failed: %s", type(exc).__name__)
        result.seconds = time.perf_counter() - started
        return result

    def _deploy(
        self, state: DeployState, tree: Path, pages: Container[str], result: DeployResult
    ) -> None:
        # 2. check
        token = self._marker_token()
        if token is None or token != state.get("token"):
            with state.transaction():
                state.replace_objects(self._listing())
                state.set("full", "1")
            result.full = True
        # 3. compare
        if result.full:
            local = {
                str(p.relative_to(tree)).replace(os.sep, "/")
                for p in tree.rglob("*")
                if p.is_file() and not p.is_symlink()
            }
            local = {p for p in local if not self._excluded(p)}
            recorded = state.objects()
            candidates = local | recorded.keys() | state.pending()
        else:
            candidates = state.pending()
            recorded = state.objects(candidates)
        uploads: dict[str, bytes] = {}
        deletes: list[str] = []
        with state.transaction():
            for path in sorted(candidates):
                file = tree / path
                if file.is_file():
                    md5 = _md5(file.read_bytes())
                    if recorded.get(path) != md5.hex():
                        uploads[path] = md5
                    else:
                        state.sent(path, md5.hex())  # already there: nothing to send
                elif path in recorded or not result.full:
                    deletes.append(path)  # deleting what is not there is harmless
        result.planned = len(uploads) + len(deletes)
        # 4. upload, tier by tier
        by_tier: dict[int, list[str]] = {}
        for path in uploads:
            by_tier.setdefault(tier(path, pages), []).append(path)
        for level in sorted(by_tier):
            self._upload(state, tree, by_tier[level], uploads, result)
        # 5. delete
        for start in range(0, len(deletes), 1000):
            batch = deletes[start : start + 1000]
            answer = self.client.delete_objects(
                Bucket=self.target.bucket,
                Delete={"Objects": [{"Key": self.target.key(p)} for p in batch], "Quiet": True},
            )
            failed = {e["Key"] for e in answer.get("Errors", [])}
            with state.transaction():
                for path in batch:
                    if self.target.key(path) not in failed:
                        state.removed(path)
                        result.deleted.append(path)
            if failed:
                raise OSError(f"the storage refused to delete {len(failed)} file(s)")
        # 6. mark
        token = uuid.uuid4().hex
        self.client.put_object(
            Bucket=self.target.bucket,
            Key=self.target.key(MARKER),
            Body=json.dumps({"token": token, "deployed_at": time.time()}).encode(),
            ContentType="application/json",
            CacheControl="no-store",
        )
        with state.transaction():
            state.set("token", token)
            state.set("full", "0")
            state.db.execute("DELETE FROM pending")

    def _upload(
        self,
        state: DeployState,
        tree: Path,
        paths: list[str],
        digests: dict[str, bytes],
        result: DeployResult,
    ) -> None:
        """Send ``paths`` in parallel; every file that did go up is recorded, even when another
        one failed (then the first error is raised once the requests under way are over)."""

        def send(path: str) -> str:
            self.client.put_object(
                Bucket=self.target.bucket,
                Key=self.target.key(path),
                Body=(tree / path).read_bytes(),
                ContentType=content_type(path),
                CacheControl=cache_control(path),
                ContentMD5=base64.b64encode(digests[path]).decode(),
            )
            return path

        error: BaseException | None = None
        sent: list[str] = []

        def record() -> None:
            with state.transaction():
                for path in sent:
                    state.sent(path, digests[path].hex())
            result.uploaded.extend(sent)
            sent.clear()

        with ThreadPoolExecutor(max_workers=max(1, self.target.workers)) as pool:
            futures = [pool.submit(send, p) for p in paths]
            for future in as_completed(futures):
                if future.cancelled():
                    continue
                if future.exception() is not None:
                    if error is None:
                        error = future.exception()
                        for other in futures:
                            other.cancel()
                    continue
                sent.append(future.result())
                if len(sent) >= 200:
                    record()
        record()
        if error is not None:
            raise error

    def _marker_token(self) -> str | None:
        try:
            answer = self.client.get_object(Bucket=self.target.bucket, Key=self.target.key(MARKER))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        try:
            return json.loads(answer["Body"].read()).get("token")
        except (ValueError, AttributeError):
            return None

    def _excluded(self, path: str) -> bool:
        return path == MARKER or any(path.startswith(e) for e in self.target.exclude)

    def _listing(self) -> dict[str, str]:
        """The site's objects in the bucket: path → MD5 (empty for an object uploaded in
        parts, whose ETag is not its MD5: it will be sent again)."""
        found: dict[str, str] = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.target.bucket, Prefix=self.target.prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                path = obj["Key"][len(self.target.prefix) :]
                if not path or self._excluded(path):
                    continue
                etag = obj.get("ETag", "").strip('"')
                found[path] = "" if "-" in etag else etag
        return found


def http_purge(url: str, site_url: str, token: str = "", timeout: float = 10.0) -> Purge:
    """A purge hook that POSTs ``{"site": …, "paths": […], "urls": […]}`` to ``url`` (with
    ``Authorization: Bearer <token>`` when there is one); any answer but 2xx is a failure."""

    def purge(paths: list[str]) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = requests.post(
            url,
            json={
                "site": site_url,
                "paths": paths,
                "urls": [site_url.rstrip("/") + p for p in paths],
            },
            headers=headers,
            timeout=timeout,
        )
        if not 200 <= answer.status_code < 300:
            raise RuntimeError(f"the purge address answered {answer.status_code}")

    return purge
