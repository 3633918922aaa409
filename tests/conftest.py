import os

os.environ.setdefault("RELAIS_SERVE_QUIET", "1")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/fixtures/golden/expected from the current build")
