"""Production serving under load: gunicorn on loopback, the production settings, 200 clients,
while two workers publish and post.

``python -m benchmarks.serving --database-url postgres://…/empty_db [--redis-url redis://…/n]``
(``make bench`` runs it on SQLite, which a production installation should not use):

1. a fresh installation in a temporary folder (the database named, else SQLite), the demo
   federation loaded (the workers export and build it when they start), a loopback fake of
   Mastodon with the first association's account on it;
2. two workers (``manage.py relais_worker``: on the database queue, or on Redis with
   ``--redis-url``) and ``gunicorn cms.wsgi:application`` (``--gunicorn`` gives its options)
   with ``cms.settings.production``, behind a pretend TLS proxy (``X-Forwarded-Proto``,
   ``X-Forwarded-For``: each client has its own address); the admin has a gunicorn of its own
   (``--admin-gunicorn``, as the production guide's proxy sends ``/admin/`` there), so that
   editors do not wait in the visitors' queue (``--admin-gunicorn none``: one server for all);
3. first one editor and two visitors alone for 8 s (what each request costs: ``alone``), then
   ``--clients`` clients at once for ``--seconds``, each in a loop (visitors pause ``--pause``
   seconds between requests, none by default: the server is saturated): visitors load
   the sign-up page (``GET /adherer/``) or the audience counter (``GET /c/p.gif?p=…``) of pages
   of the site; ``--editors`` of them are editors, logged in (session, CSRF), who publish a new
   item through the admin's form (``POST /admin/pages/add/…/`` with ``action-publish``, after
   loading the form, not measured) every ``--think`` seconds; the workers export, build and
   post each publication meanwhile;
4. per endpoint: requests, errors (an exception or an unexpected status), p50 and p95 latency.

The last line is ``publish_p95_ms=<x> signup_p95_ms=<y> counter_p95_ms=<z> errors=<n>``; the
details go to ``benchmarks/results/serving.json``. The load comes from threads of one Python
process on the same machine: on a small machine it competes with the server for the cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

import lxml.html
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
USER, PASSWORD = "admin", "relais-demo"  # the demo's administrator (cms/demo/data/demo.yaml)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def environment(work: Path, port: int, args: argparse.Namespace) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "RELAIS_SECRET_KEY": secrets.token_urlsafe(50),
        "RELAIS_CREDENTIALS_KEY": Fernet.generate_key().decode(),
        "RELAIS_EMAIL_HOST": "127.0.0.1",  # nothing is mailed: no sign-up is sent
        "RELAIS_ALLOWED_HOSTS": "127.0.0.1",
        "RELAIS_CMS_URL": f"https://127.0.0.1:{port}",
        "RELAIS_SITE_URL": "https://alumni.example.org",
        "RELAIS_SSL_REDIRECT": "0",  # the pretend proxy says https
        "RELAIS_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        "RELAIS_ALLOW_PRIVATE_NETWORKS": "loopback",  # the fake network, on loopback
        "RELAIS_VAR_DIR": str(work / "var"),
        "RELAIS_CONTENT_DIR": str(work / "content"),
        "RELAIS_SITE_OUTPUT": str(work / "site" / "output"),
        "RELAIS_TASK_BACKEND": "rq" if args.redis_url else "database",
        "PYTHONUNBUFFERED": "1",
    }
    if args.redis_url:
        env["RELAIS_REDIS_URL"] = args.redis_url
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    return env


class Client:
    """One browser: its cookies (kept by hand: the production cookies are ``Secure`` and the
    pretend proxy's clients speak plain HTTP on loopback), its address, the proxy's headers."""

    def __init__(self, base: str, n: int):
        self.base = base
        self.http = requests.Session()
        self.cookies: dict[str, str] = {}
        self.headers = {
            "User-Agent": BROWSER,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        }

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            origin = self.base.replace("http://", "https://")
            headers.update(Origin=origin, Referer=origin + path)
        response = self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        for raw in response.raw.headers.getlist("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(raw)
            self.cookies.update({k: m.value for k, m in jar.items()})
        return response

    def form(self, path: str) -> dict[str, list[str]]:
        page = self.request("GET", path)
        if page.status_code != 200:
            raise RuntimeError(f"GET {path}: {page.status_code}")
        doc = lxml.html.fromstring(page.content)
        form = next(
            f
            for f in doc.forms
            if f.get("method", "").lower() == "post"
            and ("title" in f.fields or "username" in f.fields)
        )
        values: dict[str, list[str]] = {}
        for name, value in form.form_values():
            values.setdefault(name, []).append(value)
        return values

    def login(self) -> None:
        values = self.form("/admin/login/")
        values.update(username=[USER], password=[PASSWORD])
        answer = self.request("POST", "/admin/login/", data=values)
        if answer.status_code != 302:
            raise RuntimeError(f"Login refused ({answer.status_code}): check the demo's admin.")


class Load:
    def __init__(
        self,
        base: str,
        args: argparse.Namespace,
        parent: int,
        paths: list[str],
        admin_base: str = "",
    ):
        self.base, self.args, self.parent, self.paths = base, args, parent, paths
        self.admin_base = admin_base or base
        self.times: dict[str, list[float]] = {"publish": [], "signup": [], "counter": []}
        self.errors: dict[str, list[str]] = {k: [] for k in self.times}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def timed(self, name: str, call, ok: int) -> None:
        started = time.perf_counter()
        try:
            status = call().status_code
            error = "" if status == ok else f"status {status}"
        except Exception as exc:  # counted, and the client goes on
            error = f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times[name].append(elapsed)
            if error:
                self.errors[name].append(error)

    def visitor(self, n: int) -> None:
        client = Client(self.base, n)
        k = n
        while not self.stop.wait(self.args.pause if k > n else 0):
            k += 1
            if n % 2:
                self.timed("signup", lambda: client.request("GET", "/adherer/"), 200)
            else:
                path = self.paths[k % len(self.paths)]
                self.timed(
                    "counter",
                    lambda p=path: client.request("GET", "/c/p.gif", params={"p": p}),
                    200,
                )

    def editor(self, n: int, parent_id: int) -> None:
        """Publishes a new item, again and again, with the admin's form."""
        client = Client(self.admin_base, n)
        client.login()
        url = f"/admin/pages/add/content/alumninewspage/{parent_id}/"
        k = 0
        while not self.stop.is_set():
            k += 1
            values = client.form(url)
            key = f"{n}-{k}-{secrets.token_hex(3)}"
            values.update(
                title=[f"Brève {key} du banc d'essai"],
                slug=[f"breve-{key}"],
                summary=["Publiée pendant la mesure de charge."],
                **{"body-count": ["0"], "action-publish": ["action-publish"]},
            )
            self.timed("publish", lambda v=values: client.request("POST", url, data=v), 302)
            self.stop.wait(self.args.think)

    def run(self) -> float:
        threads = [
            threading.Thread(target=self.editor, args=(n, self.parent), daemon=True)
            for n in range(self.args.editors)
        ]
        threads += [
            threading.Thread(target=self.visitor, args=(n,), daemon=True)
            for n in range(self.args.editors, self.args.clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(self.args.seconds)
        self.stop.set()
        for t in threads:
            t.join(90)
        return time.perf_counter() - started

    def report(self) -> dict:
        out = {}
        for name, times in self.times.items():
            errors = self.errors[name]
            out[name] = {
                "requests": len(times),
                "errors": len(errors),
                "p50_ms": round(statistics.median(times) * 1000, 1) if times else 0,
                "p95_ms": round(percentile(times, 0.95) * 1000, 1),
                "max_ms": round(max(times, default=0) * 1000, 1),
                "first_errors": sorted(set(errors))[:3],
            }
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--editors", type=int, default=10, help="of the clients, editors")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=1.0, help="editors' pause (s)")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="visitors' pause between requests (s)"
    )
    parser.add_argument(
        "--visitors-nice",
        type=int,
        default=0,
        help="the visitors' gunicorn runs with this nice value (a service manager's Nice= or "
        "CPUWeight=: editors' requests first when the processors are short)",
    )
    parser.add_argument("--database-url", default="", help="an empty database (default SQLite)")
    parser.add_argument("--redis-url", default="", help="run the workers on RQ (Redis)")
    parser.add_argument("--gunicorn", default="--workers 4 --threads 8 --worker-class gthread")
    parser.add_argument(
        "--admin-gunicorn",
        default="--workers 2 --threads 4 --worker-class gthread",
        help="the admin's own gunicorn (the proxy sends /admin/ there); 'none': one gunicorn "
        "serves the admin and the visitors",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="relais-serving-"))
    port = free_port()
    os.environ.update(environment(work, port, args))
    try:
        result = Serving(work, port, args).measure()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "serving.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    for key, value in result.items():
        if key != "summary":
            print(f"{key}: {value}")
    print(result["summary"])
    return 0


class Serving:
    def __init__(self, work: Path, port: int, args: argparse.Namespace):
        self.work, self.port, self.args = work, port, args
        self.base = f"http://127.0.0.1:{port}"
        self.admin_port = free_port() if self.split else port
        self.admin_base = f"http://127.0.0.1:{self.admin_port}"
        self.procs: dict[str, subprocess.Popen] = {}

    @property
    def split(self) -> bool:
        """Whether the admin has its own gunicorn."""
        return self.args.admin_gunicorn.strip().lower() not in ("", "none")

    def measure(self) -> dict:
        import django

        django.setup()
        from syndication.testing.fakes import FakeMastodon

        self.prepare()
        network = FakeMastodon(stall=0.1).start()
        try:
            self.connect(network)
            self.start()
            self.wait_for_site(timeout=600)
            parent, paths = self.parent_and_paths()
            # one editor and two visitors first: what each request costs on its own
            alone = argparse.Namespace(**{**vars(self.args), "clients": 3, "editors": 1})
            alone.seconds = 8
            idle = Load(self.base, alone, parent, paths, self.admin_base)
            idle.run()
            print(f"Load: {self.args.clients} clients for {self.args.seconds:.0f} s…", flush=True)
            load = Load(self.base, self.args, parent, paths, self.admin_base)
            seconds = load.run()
            report = load.report()
            published = self.wait_until_live(timeout=120)
        finally:
            self.stop()
            network.stop()
        errors = sum(r["errors"] for r in report.values())
        return {
            "clients": self.args.clients,
            "editors": self.args.editors,
            "seconds": round(seconds, 1),
            "database": "postgresql" if self.args.database_url else "sqlite",
            "queue": "rq" if self.args.redis_url else "database",
            "gunicorn": self.args.gunicorn,
            "admin_gunicorn": self.args.admin_gunicorn if self.split else "none",
            "visitors_nice": self.args.visitors_nice,
            "visitors_pause_s": self.args.pause,
            "alone": {k: (v["requests"], v["p50_ms"]) for k, v in idle.report().items()},
            **report,
            "workers": published,
            "posts_on_network": len(network.posts),
            "summary": (
                f"publish_p95_ms={report['publish']['p95_ms']:.0f} "
                f"signup_p95_ms={report['signup']['p95_ms']:.0f} "
                f"counter_p95_ms={report['counter']['p95_ms']:.0f} errors={errors}"
            ),
        }

    def prepare(self) -> None:
        from django.conf import settings
        from django.core.management import call_command

        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        print("Preparing the database and the demo association…", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        # the workers' recovery exports and builds it when they start
        call_command("load_demo", "--no-export", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

    def connect(self, network) -> None:
        """The demo association's account on the fake network: every item that goes live is
        posted there (the demo's own accounts are on fakes that stopped with ``load_demo``)."""
        from urllib.parse import urlsplit

        from wagtail.models import Site

        from cms.social.models import SocialAccount
        from syndication.testing.fakes import credentials_for

        SocialAccount.objects.all().delete()
        account = SocialAccount(
            site=Site.objects.get(is_default_site=True),
            network="mastodon",
            display_name="Alumni (benchmark)",
            remote_id=f"{network.account_id}@{urlsplit(network.url).netloc}",
            base_url=network.url,
        )
        account.set_credentials(credentials_for(network))
        account.save()

    def spawn(self, name: str, *cmd: str, nice: int = 0) -> None:
        log = (self.work / f"{name}.log").open("w")
        if nice:
            cmd = ("nice", "-n", str(nice), *cmd)
        self.procs[name] = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # RQ's scheduler is a child of its worker: stopped with it
        )

    def start(self) -> None:
        manage = [sys.executable, "manage.py", "relais_worker"]
        self.spawn("worker-1", *manage)
        self.spawn("worker-2", *manage, "--no-clock")
        servers = [("gunicorn", self.port, self.args.gunicorn, self.args.visitors_nice)]
        if self.split:
            servers.append(("gunicorn-admin", self.admin_port, self.args.admin_gunicorn, 0))
        for name, port, options, nice in servers:
            self.spawn(
                name,
                sys.executable,
                "-m",
                "gunicorn",
                "cms.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                *options.split(),
                nice=nice,
            )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
            with contextlib.suppress(ProcessLookupError):  # RQ's scheduler, if left
                os.killpg(proc.pid, signal.SIGKILL)

    def wait_for_site(self, timeout: float) -> None:
        """Until gunicorn answers and the workers have built the demo site and posted it."""
        from cms.content.models import ItemPage
        from cms.publishing.models import ExportRecord

        print("Waiting for the workers to build the demo site…", flush=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    log = (self.work / f"{name}.log").read_text()[-3000:]
                    raise RuntimeError(f"{name} stopped (exit {proc.returncode}):\n{log}")
            try:
                up = all(
                    requests.get(base + "/admin/login/", timeout=5).status_code == 200
                    for base in {self.base, self.admin_base}
                )
            except requests.RequestException:
                up = False
            live = ExportRecord.objects.filter(withdrawn=False).exclude(live_at=None)
            if up and live.count() >= ItemPage.objects.live().count() > 0:
                return
            time.sleep(1)
        raise RuntimeError("The demo site was not live in time: see the workers' logs.")

    def parent_and_paths(self) -> tuple[int, list[str]]:
        """Where editors add news items, and the pages of the site visitors view."""
        from wagtail.models import Site

        from cms.content.models import SectionIndexPage
        from cms.publishing.models import ExportRecord

        home = Site.objects.get(is_default_site=True).root_page
        parent = SectionIndexPage.objects.child_of(home).get(section="actualites")
        paths = []
        for url in ExportRecord.objects.filter(withdrawn=False).values_list("url", flat=True):
            path = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if url else ""
            if path.endswith("/"):
                paths.append(path)
        return parent.pk, paths or ["/"]

    def wait_until_live(self, timeout: float) -> dict:
        """After the load: until every publication is live and posted, what the workers did."""
        from cms.publishing.models import BuildRecord, ExportRecord
        from cms.social.models import Delivery

        started = time.monotonic()
        while time.monotonic() - started < timeout:
            pending = ExportRecord.objects.filter(withdrawn=False, live_at=None).exists()
            sending = Delivery.objects.exclude(state__in=["sent", "failed", "skipped"])
            if not pending and not sending.exists():
                break
            time.sleep(0.5)
        builds = BuildRecord.objects.all()
        return {
            "builds": builds.count(),
            "builds_failed": builds.filter(status=BuildRecord.Status.FAILED).count(),
            "deliveries_sent": Delivery.objects.filter(state="sent").count(),
            "all_live_s_after_load": round(time.monotonic() - started, 1),
        }


if __name__ == "__main__":
    sys.exit(main())
