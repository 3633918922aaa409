"""Shared test configuration: opt-in services, and the one Playwright session that every browser
test uses (Debian's Chromium; never `playwright install`)."""

import os
import shutil

import pytest

os.environ.setdefault("RELAIS_SERVE_QUIET", "1")
# A full build runs in the test's own process: a new interpreter (the default, see
# relais.incremental.SiteBuilder._full_build) costs about half a second a build, minutes over
# the suite. The tests of that process ask for it (full_build_process=True).
os.environ.setdefault("RELAIS_FULL_BUILD_PROCESS", "0")


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/fixtures/golden/expected from the current build",
    )


# Tests of the opt-in services run where the service is named; elsewhere they are deselected
# (not skipped) and the summary says how to run them.
OPT_IN = {
    "postgres": ("RELAIS_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relais_test"),
    "redis": ("RELAIS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    # Bluesky's full network (PLC, PDS, AppView) needs PostgreSQL and Redis on 127.0.0.1
    "devnet": ("RELAIS_TEST_DEVNET", "1"),
}
_deselected: dict[str, int] = {}


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        missing = [
            m
            for m, (var, _) in OPT_IN.items()
            if item.get_closest_marker(m) and not os.environ.get(var)
        ]
        (drop if missing else keep).append(item)
        for m in missing:
            _deselected[m] = _deselected.get(m, 0) + 1
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter):
    for marker, count in _deselected.items():
        var, example = OPT_IN[marker]
        terminalreporter.write_line(
            f"{count} {marker} test(s) not run: set {var} (e.g. {var}={example}) to run them."
        )


CHROMIUM = os.environ.get("RELAIS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's "
            "chromium) or `apt-get install chromium`."
        )
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
