"""The check cycle: many sources at once, pure data in and out, conditional GET from one cycle
to the next, failing sources backed off, hanging sources costing only their own timeout,
entries de-duplicated across sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from relais.watching import cycle as cycle_module
from relais.watching.cycle import (
    Source,
    SourceState,
    WatchConfig,
    backoff,
    check_sources,
    interleave,
)
from relais.watching.entries import Story
from tests.watching.conftest import NOW, fixture_bytes

HTML = "text/html; charset=utf-8"


def states(results) -> dict[str, SourceState]:
    return {r.source_id: r.state for r in results}


def by_id(results) -> dict:
    return {r.source_id: r for r in results}


def test_two_cycles_the_second_made_of_304s(site, config):
    site.route("/presse.rss", body=fixture_bytes("feeds", "presse.rss"), etag='"p1"')
    site.route("/fede.atom", body=fixture_bytes("feeds", "federation.atom"), etag='"f1"')
    site.route("/classement", body=fixture_bytes("pages", "classement.html"), content_type=HTML,
               last_modified="Tue, 03 Nov 2026 08:00:00 GMT")  # fmt: skip
    sources = [
        Source("presse", site.url("/presse.rss")),
        Source("fede", site.url("/fede.atom")),
        Source("classement", site.url("/classement"), "page"),
    ]
    first = check_sources(sources, {}, config=config, now=NOW)
    assert [(r.source_id, r.status) for r in first] == [
        ("presse", "ok"),
        ("fede", "ok"),
        ("classement", "ok"),
    ]
    results = by_id(first)
    assert len(results["presse"].entries) == 4 and results["classement"].change is None
    assert results["presse"].state.validators.etag == '"p1"'
    assert results["presse"].requests == 1 and results["presse"].bytes_read > 1000
    assert results["presse"].state.next_check == NOW + config.interval

    later = NOW + timedelta(hours=2)
    second = check_sources(sources, states(first), config=config, now=later)
    assert all(r.ok and r.not_modified and r.entries == () for r in second)
    assert sum(r.requests for r in second) == 3
    assert all(r.bytes_read < 400 for r in second)
    assert site.requests_to("/presse.rss")[1].headers["If-None-Match"] == '"p1"'
    # what was stored is kept through a 304
    assert by_id(second)["presse"].state.seen == results["presse"].state.seen
    assert by_id(second)["classement"].state.text == results["classement"].state.text


def test_a_feed_gives_only_the_entries_not_seen_before(site, config):
    body = fixture_bytes("feeds", "presse.rss")
    url = site.route("/rss", body=body)
    source = Source("presse", url)
    first = check_sources([source], {}, config=config, now=NOW)[0]
    new_item = (
        b"<item><title>Nouvelle promotion d'ing\xc3\xa9nieurs dipl\xc3\xb4m\xc3\xa9s</title>"
        b"<link>https://presse.example/articles/promo</link></item>"
    )
    site.routes["/rss"].body = body.replace(b"<item>", new_item + b"<item>", 1)
    second = check_sources([source], states([first]), config=config, now=NOW, force=True)[0]
    assert [e.link for e in second.entries] == ["https://presse.example/articles/promo"]
    assert second.state.seen[0] == "presse.example/articles/promo"


def test_a_watched_page_change_is_a_text_diff(site, config):
    url = site.route(
        "/classement", body=fixture_bytes("pages", "classement.html"), content_type=HTML
    )
    source = Source("classement", url, "page")
    first = check_sources([source], {}, config=config, now=NOW)[0]
    site.routes["/classement"].body = fixture_bytes("pages", "classement-habillage.html")
    same = check_sources([source], states([first]), config=config, now=NOW, force=True)[0]
    assert same.ok and same.change is None  # only the HTML around the text changed
    site.routes["/classement"].body = fixture_bytes("pages", "classement-2.html")
    changed = check_sources([source], states([same]), config=config, now=NOW, force=True)[0]
    assert "[-12e-] {+8e+}" in changed.change.text()
    assert "8e place" in changed.state.text


def test_new_links_on_a_listing_page_become_entries(site, config):
    url = site.route("/actualites/", body=fixture_bytes("pages", "ecole-actualites.html"),
                     content_type=HTML)  # fmt: skip
    source = Source("ecole", url, "listing")
    first = check_sources([source], {}, config=config, now=NOW)[0]
    assert first.ok and first.entries == ()  # the first check records what is there
    site.routes["/actualites/"].body = fixture_bytes("pages", "ecole-actualites-2.html")
    second = check_sources([source], states([first]), config=config, now=NOW, force=True)[0]
    assert [(e.title, e.link) for e in second.entries] == [
        ("Un nouveau directeur pour l'école", site.url("/actualites/2026/nouveau-directeur"))
    ]


def test_a_hanging_source_costs_its_timeout_never_the_others(site, config):
    site.route("/hang", behaviour="hang")
    for n in range(6):
        site.route(f"/f{n}", body=fixture_bytes("feeds", "federation.atom"), latency=0.05)
    sources = [Source("hang", site.url("/hang"))]
    sources += [Source(f"f{n}", site.url(f"/f{n}")) for n in range(6)]
    results = by_id(check_sources(sources, {}, config=config, now=NOW))
    assert results["hang"].code == "timeout"
    assert results["hang"].reason.startswith("le serveur ne répond pas (délai dépassé)")
    assert all(results[f"f{n}"].ok for n in range(6))


def test_a_check_that_outlives_the_cycle_is_reported_abandoned(site, config):
    site.route("/hang", behaviour="hang")
    site.route("/ok", body=fixture_bytes("feeds", "federation.atom"))
    slow = replace(config, limits=replace(config.limits, read_timeout=5, deadline=10),
                   cycle_timeout=0.5)  # fmt: skip
    sources = [Source("hang", site.url("/hang")), Source("ok", site.url("/ok"))]
    results = by_id(check_sources(sources, {}, config=slow, now=NOW))
    assert results["ok"].ok
    assert results["hang"].code == "abandoned" and results["hang"].state.failures == 1


def test_a_fault_of_the_engine_on_one_source_is_that_source_s_error(site, config, monkeypatch):
    real = cycle_module.parse_feed

    def parse_feed(body, **kwargs):
        if kwargs["url"].endswith("/bad"):
            raise KeyError("a bug")
        return real(body, **kwargs)

    monkeypatch.setattr(cycle_module, "parse_feed", parse_feed)
    site.route("/bad", body=fixture_bytes("feeds", "federation.atom"))
    site.route("/good", body=fixture_bytes("feeds", "federation.atom"))
    sources = [Source("bad", site.url("/bad")), Source("good", site.url("/good"))]
    results = by_id(check_sources(sources, {}, config=config, now=NOW))
    assert results["good"].ok
    assert results["bad"].code == "unexpected" and "signalez-le" in results["bad"].reason
    assert "KeyError" in results["bad"].detail


def test_a_failing_source_backs_off_exponentially_up_to_a_cap_then_recovers(site, config):
    url = site.route("/flaky", status=500, content_type="text/plain")
    source = Source("flaky", url)
    config = replace(config, retry_base=timedelta(minutes=5), retry_cap=timedelta(minutes=30))
    state: dict[str, SourceState] = {}
    now = NOW
    waits = []
    for _ in range(5):
        result = check_sources([source], state, config=config, now=now)[0]
        assert not result.ok and result.code == "http_status"
        waits.append(result.state.next_check - now)
        state = states([result])
        # not due before its next check: nothing is asked of the server
        asked = len(site.seen)
        assert check_sources([source], state, config=config, now=now + timedelta(minutes=1)) == []
        assert len(site.seen) == asked
        now = result.state.next_check
    assert [w.total_seconds() / 60 for w in waits] == [5, 10, 20, 30, 30]
    assert state["flaky"].failures == 5 and "500" in state["flaky"].last_error

    site.route("/flaky", body=fixture_bytes("feeds", "federation.atom"))
    result = check_sources([source], state, config=config, now=now)[0]
    assert result.ok and result.state.failures == 0 and result.state.last_error == ""
    assert result.state.next_check == now + config.interval


def test_retry_after_lengthens_the_wait(site, config):
    url = site.route(
        "/busy", status=429, content_type="text/plain", headers={"Retry-After": "3600"}
    )
    result = check_sources([Source("busy", url)], {}, config=config, now=NOW)[0]
    assert result.state.next_check == NOW + timedelta(hours=1)


def test_backoff_and_a_source_s_own_interval(site, config):
    assert backoff(0, config) == config.interval
    assert backoff(100, config) == config.retry_cap
    url = site.route("/rss", body=fixture_bytes("feeds", "federation.atom"))
    source = Source("rss", url, interval=timedelta(minutes=10))
    result = check_sources([source], {}, config=config, now=NOW)[0]
    assert result.state.next_check == NOW + timedelta(minutes=10)


def test_entries_are_marked_when_another_source_or_the_caller_had_the_story(site, config):
    site.route("/presse.rss", body=fixture_bytes("feeds", "presse.rss"))
    site.route("/fede.atom", body=fixture_bytes("feeds", "federation.atom"))
    sources = [Source("fede", site.url("/fede.atom")), Source("presse", site.url("/presse.rss"))]
    known = [Story("federation.example/nouvelles/ag-2026", "Assemblée générale 2026", NOW)]
    results = by_id(check_sources(sources, {}, config=config, now=NOW, known=known))
    presse = {e.key: e for e in results["presse"].entries}
    fede = {e.title: e for e in results["fede"].entries}
    original = "presse.example/articles/enilc-master-chimie-verte"
    assert presse[original].duplicate_of is None  # the first published
    # the same link (http, www, :80, utm_*) from the federation
    assert fede["Même article, autre lien"].duplicate_of == original
    # the same title the next day, from another address
    assert fede["L’ENILC ouvre un master en chimie verte !"].duplicate_of == original
    # a story the caller already has
    assert fede["Assemblée générale 2026"].duplicate_of == "federation.example/nouvelles/ag-2026"


def test_sources_are_interleaved_by_host():
    sources = [Source(f"a{n}", f"https://a.example/{n}") for n in range(3)]
    sources += [Source("b0", "https://b.example/0"), Source("c0", "http://c.example:8080/")]
    assert [s.id for s in interleave(sources)] == ["a0", "b0", "c0", "a1", "a2"]


def test_an_unknown_kind_or_a_repeated_id_is_refused_at_once(config):
    with pytest.raises(ValueError, match="kind 'video' is not one of"):
        Source("x", "https://x.example/", "video")
    twice = [Source("x", "https://x.example/"), Source("x", "https://y.example/")]
    with pytest.raises(ValueError, match=r"given more than once: \['x'\]"):
        check_sources(twice, {}, config=config, now=NOW)


def test_nothing_due_nothing_done(config):
    state = {"x": SourceState(next_check=NOW + timedelta(minutes=1))}
    assert check_sources([Source("x", "https://x.example/")], state, config=config, now=NOW) == []
    assert WatchConfig().policy.allow_private is False  # production by default
