"""Bluesky's reference PDS (``@atproto/pds``) on loopback, installed and started by the tests.

Bluesky's own implementation of the AT Protocol server and its development network
(``@atproto/dev-env``) install from the npm registry and run with no outside network; they
validate every record against the real lexicons, so a post they accept is one Bluesky accepts.

* :func:`ensure_installed` installs ``@atproto/pds@0.4.217 @atproto/dev-env@0.3.215`` with npm
  into ``~/.cache/relais-peers/bluesky-pds0.4.217-dev0.3.215`` (``RELAIS_PEERS_CACHE`` moves the
  cache) when missing — about 3 minutes, under a file lock so that two processes never install
  at once — and copies the launch scripts ``guard.js``, ``plc.js``, ``pds.js`` and ``devnet.js``
  next to it from :data:`SCRIPTS_DIR`, the ``bluesky`` folder beside this module (they are part
  of the package: nothing is read from outside it).
* :class:`LocalPDS` starts ``plc.js`` and ``pds.js`` with ``node -r ./guard.js`` (everything
  bound to 127.0.0.1, outbound connections refused) on free ports with a fresh data folder,
  waits for ``/xrpc/_health`` and stops both process groups at the end.
* :class:`DevNet` starts ``devnet.js`` (PLC + PDS + App View + Ozone) on PostgreSQL and Redis,
  in a database of its own that is dropped at the end.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

PDS_VERSION = "0.4.217"
DEV_ENV_VERSION = "0.3.215"
PACKAGES = (f"@atproto/pds@{PDS_VERSION}", f"@atproto/dev-env@{DEV_ENV_VERSION}")
SCRIPTS = ("guard.js", "plc.js", "pds.js", "devnet.js")
#: The launch scripts, kept with this module.
SCRIPTS_DIR = Path(__file__).resolve().parent / "bluesky"
_MARKER = ".relais-installed"
# secp256k1 group order: a private key is a number in [1, n-1]
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class PeerUnavailable(RuntimeError):
    """The peer cannot run here (no node/npm, launch scripts missing, install failed); says why."""


def install_dir() -> Path:
    base = Path(os.environ.get("RELAIS_PEERS_CACHE") or Path.home() / ".cache" / "relais-peers")
    return base / f"bluesky-pds{PDS_VERSION}-dev{DEV_ENV_VERSION}"


def ensure_installed(log: bool = True) -> Path:
    """The install folder, with the npm packages and the current launch scripts in it."""
    if not shutil.which("node") or not shutil.which("npm"):
        raise PeerUnavailable(
            "node and npm are needed to run Bluesky's PDS (apt-get install nodejs npm)."
        )
    missing = [name for name in SCRIPTS if not (SCRIPTS_DIR / name).is_file()]
    if missing:
        raise PeerUnavailable(
            f"The Bluesky launch scripts {', '.join(missing)} are missing from {SCRIPTS_DIR}: "
            "restore them from the repository (git checkout -- syndication/testing/bluesky)."
        )
    target = install_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits for the first install
        try:
            if not (target / _MARKER).is_file():
                target.mkdir(exist_ok=True)
                if log:
                    print(
                        f"Installing {' '.join(PACKAGES)} into {target} (about 3 minutes)...",
                        flush=True,
                    )
                if not (target / "package.json").is_file():
                    (target / "package.json").write_text(
                        '{"name": "relais-bluesky-peer", "private": true}\n'
                    )
                result = subprocess.run(
                    ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES],
                    cwd=target,
                    capture_output=True,
                    text=True,
                    timeout=1800,
                    check=False,
                )
                if result.returncode != 0:
                    raise PeerUnavailable(
                        f"npm install failed in {target}:\n{result.stderr[-3000:]}"
                    )
                (target / _MARKER).write_text(" ".join(PACKAGES) + "\n")
            for name in SCRIPTS:
                data = (SCRIPTS_DIR / name).read_bytes()
                dest = target / name
                if not dest.is_file() or dest.read_bytes() != data:
                    dest.write_bytes(data)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _k256_key_hex() -> str:
    while True:
        value = int.from_bytes(secrets.token_bytes(32), "big")
        if 0 < value < _SECP256K1_N:
            return f"{value:064x}"


def _stop(process: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """Stop a process started with ``start_new_session=True`` and all its children."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # children left in the group
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PeerUnavailable(f"{url}: the server exited ({process.returncode}):\n{_tail(log)}")
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise PeerUnavailable(f"{url} not up after {timeout:g} s:\n{_tail(log)}")


def _tail(path: Path, n: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


class LocalPDS:
    """PLC directory + PDS on free loopback ports; a context manager.

    ``url`` is the PDS; ``admin_password`` its admin password; handles end in ``.test``.
    """

    def __init__(self, *, rate_limits: bool = False, startup_timeout: float = 60.0):
        self.rate_limits = rate_limits
        self.startup_timeout = startup_timeout
        self.admin_password = secrets.token_hex(8)
        self.jwt_secret = secrets.token_hex(16)
        self.plc_port = self.pds_port = 0
        self._plc: subprocess.Popen | None = None
        self._pds: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.pds_port}"

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in (self._plc, self._pds) if p is not None]

    def start(self) -> LocalPDS:
        home = ensure_installed()
        self._tmp = tempfile.TemporaryDirectory(prefix="relais-pds-")
        data = Path(self._tmp.name)
        self.plc_port, self.pds_port = free_port(), free_port()
        env = {
            **os.environ,
            "PLC_PORT": str(self.plc_port),
            "PDS_HOSTNAME": "localhost",
            "PDS_PORT": str(self.pds_port),
            "PDS_DEV_MODE": "true",
            "PDS_DATA_DIRECTORY": str(data),
            "PDS_BLOBSTORE_DISK_LOCATION": str(data / "blocks"),
            "PDS_JWT_SECRET": self.jwt_secret,
            "PDS_ADMIN_PASSWORD": self.admin_password,
            "PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX": _k256_key_hex(),
            "PDS_DID_PLC_URL": f"http://127.0.0.1:{self.plc_port}",
            "PDS_INVITE_REQUIRED": "false",
            "PDS_SERVICE_HANDLE_DOMAINS": ".test",
            "PDS_DISABLE_SSRF_PROTECTION": "true",
            "PDS_CRAWLERS": "",
            "LOG_ENABLED": "false",
            "TMPDIR": str(data),
        }
        if self.rate_limits:
            env["PDS_RATE_LIMITS_ENABLED"] = "true"
        try:
            self._plc = self._spawn(home, "plc.js", env, data / "plc.log")
            _wait_http(
                f"http://127.0.0.1:{self.plc_port}/_health",
                self._plc,
                data / "plc.log",
                self.startup_timeout,
            )
            self._pds = self._spawn(home, "pds.js", env, data / "pds.log")
            _wait_http(
                f"{self.url}/xrpc/_health", self._pds, data / "pds.log", self.startup_timeout
            )
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def _spawn(home: Path, script: str, env: dict[str, str], log: Path) -> subprocess.Popen:
        with open(log, "wb") as out:
            return subprocess.Popen(
                ["node", "-r", "./guard.js", script],
                cwd=home,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def stop(self) -> None:
        _stop(self._pds)
        _stop(self._plc)
        self._pds = self._plc = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> LocalPDS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def expired(self, access_jwt: str) -> str:
        """The same access token, re-signed with an expiry in the past (as an old one would be)."""

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        header, payload, _sig = access_jwt.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
        signing_input = f"{header}.{b64(json.dumps(claims, separators=(',', ':')).encode())}"
        signature = hmac.new(
            self.jwt_secret.encode(), signing_input.encode(), hashlib.sha256
        ).digest()
        return f"{signing_input}.{b64(signature)}"

    def create_account(self, handle: str, password: str | None = None) -> dict[str, str]:
        """A new account: ``{"handle", "did", "password", "accessJwt", "refreshJwt"}``."""
        password = password or secrets.token_hex(8)
        response = requests.post(
            f"{self.url}/xrpc/com.atproto.server.createAccount",
            json={
                "handle": handle,
                "email": f"{handle.split('.')[0]}@example.test",
                "password": password,
            },
            timeout=30,
        )
        response.raise_for_status()
        data = response.json()
        return {
            "handle": data["handle"],
            "did": data["did"],
            "password": password,
            "accessJwt": data["accessJwt"],
            "refreshJwt": data["refreshJwt"],
        }


class DevNet:
    """The full network of ``devnet.js`` (PLC :2582, PDS :2583, App View :2584, Ozone :2587).

    Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and Redis at 127.0.0.1:6379; runs
    in a fresh database that is dropped at the end.
    """

    pds_url = "http://127.0.0.1:2583"
    appview_url = "http://127.0.0.1:2584"

    def __init__(
        self,
        *,
        postgres: str = "postgresql://postgres@127.0.0.1:5432",
        redis: str = "127.0.0.1:6379",
        startup_timeout: float = 120.0,
    ):
        self.postgres = postgres
        self.redis = redis
        self.startup_timeout = startup_timeout
        self.database = f"relais_devnet_{os.getpid()}_{secrets.token_hex(3)}"
        self._process: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def _psql(self, sql: str) -> None:
        result = subprocess.run(
            ["psql", f"{self.postgres}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise PeerUnavailable(f"PostgreSQL at {self.postgres}: {result.stderr.strip()}")

    def start(self) -> DevNet:
        if not shutil.which("psql"):
            raise PeerUnavailable("psql is needed to create the dev network's database.")
        for port in (2582, 2583, 2584, 2587):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    raise PeerUnavailable(f"port {port} is taken: the dev network needs 2582–2590.")
        home = ensure_installed()
        self._psql(f'CREATE DATABASE "{self.database}"')
        self._tmp = tempfile.TemporaryDirectory(prefix="relais-devnet-")
        log = Path(self._tmp.name) / "devnet.log"
        env = {
            **os.environ,
            "TMPDIR": self._tmp.name,
            "LOG_ENABLED": "false",
            "DB_POSTGRES_URL": f"{self.postgres}/{self.database}",
            "REDIS_HOST": self.redis,
        }
        try:
            self._process = LocalPDS._spawn(home, "devnet.js", env, log)
            deadline = time.monotonic() + self.startup_timeout
            while "network up" not in _tail(log, 100_000):
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise PeerUnavailable(f"devnet.js did not come up:\n{_tail(log)}")
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        _stop(self._process, timeout=20)
        self._process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        try:
            self._psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except PeerUnavailable:
            pass

    def __enter__(self) -> DevNet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
