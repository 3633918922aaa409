"""The hostile-feed corpus (``tests/fixtures/watching/hostile/cases.yaml``): every case served
by one loopback site and checked in one cycle, as feed sources. Each is refused with the error
that names what was wrong, and none of them holds up or breaks the others."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import yaml

from relais.watching.cycle import CheckResult, Source, WatchConfig, check_sources
from relais.watching.testing import LoopbackSite
from tests.watching.conftest import FAST, FIXTURES, LOOPBACK, NOW

HOSTILE = FIXTURES / "hostile"
CASES = yaml.safe_load((HOSTILE / "cases.yaml").read_text(encoding="utf-8"))


def slug(name: str) -> str:
    return "/" + "-".join("".join(c if c.isalnum() else " " for c in name).split())


def route(site: LoopbackSite, path: str, case: dict) -> None:
    serve = dict(case.get("serve") or {})
    if "redirect" in serve:
        site.redirect(path, serve.pop("redirect"))
        return
    if "file" in case:
        serve["body"] = (HOSTILE / case["file"]).read_bytes()
    if "body_size" in serve:
        serve["body"] = b"x" * serve.pop("body_size")
    site.route(path, **serve)


@pytest.fixture(scope="module")
def cycle() -> Iterator[dict[str, CheckResult]]:
    attempts: list = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        if isinstance(address, tuple) and not str(address[0]).startswith("127."):
            attempts.append(address)
            raise ConnectionRefusedError("test: loopback only")
        return real_connect(sock, address)

    with pytest.MonkeyPatch.context() as patch, LoopbackSite() as site:
        patch.setattr(socket.socket, "connect", connect)
        sources = []
        for case in CASES:
            path = case.get("path") or slug(case["name"])
            route(site, path, case)
            for extra, serve in (case.get("also") or {}).items():
                route(site, extra, {"serve": serve})
            sources.append(Source(case["name"], site.url(path), "feed"))
        config = WatchConfig(policy=LOOPBACK, limits=FAST, workers=len(sources))
        results = check_sources(sources, {}, config=config, now=NOW)
    assert attempts == []
    yield {r.source_id: r for r in results}


def test_the_corpus_is_all_there():
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)) >= 20
    files = {case["file"] for case in CASES if "file" in case}
    on_disk = {p.name for p in HOSTILE.iterdir() if p.name != "cases.yaml"}
    assert on_disk <= files, f"fixtures no case serves: {on_disk - files}"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hostile_case(cycle, case):
    result = cycle[case["name"]]
    if case["expect"] == "ok":
        assert result.ok, result.reason
        if "dates" in case:
            assert [e.date_status for e in result.entries] == case["dates"]
            flagged = [e for e in result.entries if e.date_flagged]
            assert all(e.published == NOW for e in flagged)
        return
    assert not result.ok
    assert result.code == case["expect"], result.reason
    assert case["says"] in result.reason
    assert result.entries == ()
    assert result.state.failures == 1 and result.state.next_check > NOW
