"""The fetcher against real loopback servers: conditional GET, limits, redirects, compression,
timeouts, the total deadline, the address policy on every hop, politeness."""

from __future__ import annotations

import gzip
import threading
import zlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from relais.outbound import Policy
from relais.watching.errors import WatchError
from relais.watching.fetch import Fetcher, Inflater, Usage, Validators, retry_after
from relais.watching.politeness import HostGate, host_of
from relais.watching.testing import LoopbackSite
from tests.watching.conftest import FAST, LOOPBACK

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def refused(fetcher: Fetcher, url: str, **kwargs) -> WatchError:
    with pytest.raises(WatchError) as caught:
        fetcher.fetch(url, **kwargs)
    return caught.value


# -- conditional GET ---------------------------------------------------------------------------


def test_etag_is_kept_and_sent_back_and_a_304_reads_no_body(site, fetcher):
    url = site.route("/feed", body=FEED, etag='"v1"')
    first = fetcher.fetch(url)
    assert first.status == 200 and first.body == FEED
    assert first.validators == Validators(etag='"v1"')

    usage = Usage()
    second = fetcher.fetch(url, first.validators, usage=usage)
    assert second.not_modified and second.body == b""
    assert second.validators == Validators(etag='"v1"')  # kept for the next time
    assert site.requests_to("/feed")[1].headers["If-None-Match"] == '"v1"'
    assert usage.requests == 1 and 0 < usage.bytes_read < len(FEED) + 200

    site.routes["/feed"].etag = '"v2"'  # the feed changed: a full answer, the new ETag
    third = fetcher.fetch(url, second.validators)
    assert third.status == 200 and third.validators.etag == '"v2"'


def test_last_modified_is_sent_as_if_modified_since(site, fetcher):
    stamp = "Tue, 03 Nov 2026 08:00:00 GMT"
    url = site.route("/page", body=b"<p>x</p>", content_type="text/html", last_modified=stamp)
    first = fetcher.fetch(url)
    assert first.validators == Validators(last_modified=stamp)
    second = fetcher.fetch(url, first.validators)
    assert second.not_modified
    assert site.requests_to("/page")[1].headers["If-Modified-Since"] == stamp
    assert "If-None-Match" not in site.requests_to("/page")[1].headers


# -- sizes and compression ---------------------------------------------------------------------


def test_a_document_announced_too_large_is_refused_before_reading(site, fetcher):
    url = site.route("/big", body=b"x" * (FAST.max_bytes + 1))
    usage = Usage()
    error = refused(fetcher, url, usage=usage)
    assert error.code == "too_large" and "taille maximale (1 Mo)" in error.reason
    assert usage.bytes_read < 1000  # the headers only


def test_a_document_without_end_is_cut_at_the_size_limit(site, fetcher):
    url = site.route("/endless", behaviour="endless")
    usage = Usage()
    error = refused(fetcher, url, usage=usage)
    assert error.code == "too_large"
    assert FAST.max_bytes < usage.bytes_read <= FAST.max_bytes + 200_000


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_gzip_and_deflate_are_undone(site, fetcher, encoding):
    url = site.route("/c", body=FEED * 50, encoding=encoding)
    fetched = fetcher.fetch(url)
    assert fetched.body == FEED * 50
    assert site.requests_to("/c")[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_deflate_without_its_zlib_header_and_multi_member_gzip_are_read(site, fetcher):
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = packer.compress(FEED) + packer.flush()
    url = site.route("/raw", body=raw, encoding="deflate", precompressed=True)
    assert fetcher.fetch(url).body == FEED
    two = gzip.compress(FEED[:20]) + gzip.compress(FEED[20:])
    url = site.route("/two", body=two, encoding="gzip", precompressed=True)
    assert fetcher.fetch(url).body == FEED


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_stops_at_the_decompressed_limit(site, fetcher, encoding):
    bomb = b" " * 40_000_000
    packed = gzip.compress(bomb, 9) if encoding == "gzip" else zlib.compress(bomb, 9)
    url = site.route("/bomb", body=packed, encoding=encoding, precompressed=True)
    usage = Usage()
    error = refused(fetcher, url, usage=usage)
    assert error.code == "bomb" and "bombe de compression" in error.reason
    assert usage.bytes_read <= len(packed) + 1000  # far below the 1 MB of the network limit


def test_the_inflater_never_produces_much_more_than_asked():
    packed = zlib.compress(b"\0" * 10_000_000)
    out = Inflater("deflate").feed(packed, 1000)
    assert 1000 < len(out) <= 1001


def test_unknown_or_broken_compression_is_refused(site, fetcher):
    url = site.route("/br", body=b"xx", encoding="br", precompressed=True)
    assert refused(fetcher, url).code == "encoding"
    url = site.route(
        "/broken", body=b"\x1f\x8b\x08\x00garbage", encoding="gzip", precompressed=True
    )
    error = refused(fetcher, url)
    assert error.code == "encoding" and "illisible" in error.reason


# -- redirects ---------------------------------------------------------------------------------


def test_redirects_are_followed_within_the_limit_and_a_permanent_move_is_reported(site, fetcher):
    site.route("/new", body=FEED)
    site.redirect("/old", "/middle", status=301)
    site.redirect("/middle", "/new", status=308)
    fetched = fetcher.fetch(site.url("/old"))
    assert fetched.url == site.url("/new") and fetched.moved_to == site.url("/new")
    site.redirect("/temporary", "/new", status=302)
    assert fetcher.fetch(site.url("/temporary")).moved_to is None


def test_too_many_redirects(site, fetcher):
    for n in range(6):
        site.redirect(f"/r{n}", f"/r{n + 1}")
    error = refused(fetcher, site.url("/r0"))
    assert error.code == "redirects" and "plus de 3" in error.reason
    assert len(site.seen) == FAST.max_redirects + 1


def test_a_redirect_loop_is_named(site, fetcher):
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    error = refused(fetcher, site.url("/a"))
    assert error.code == "redirect_loop" and "tournent en rond" in error.reason
    assert len(site.seen) == 2


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("http://169.254.169.254/latest/meta-data/", "private"),
        ("http://10.0.0.7/admin", "private"),
        ("ftp://files.example/feed.xml", "not_https"),
        ("file:///etc/passwd", "not_address"),
    ],
)
def test_every_redirect_is_checked_by_the_policy(site, fetcher, outside, target, code):
    site.redirect("/go", target)
    error = refused(fetcher, site.url("/go"))
    assert error.code == code
    assert outside == []  # refused before any connection


def test_production_policy_refuses_http_and_loopback(site):
    url = site.route("/feed", body=FEED)
    with Fetcher(Policy(), FAST) as production:
        assert refused(production, url).code == "not_https"
        error = refused(production, url.replace("http://", "https://"))
        assert error.code == "private" and "(127.0.0.1)" in error.reason
    assert site.seen == []


def test_an_error_status_says_what_to_do_and_retry_after_is_read(site, fetcher):
    url = site.route("/gone", status=410, body=b"", content_type="text/plain")
    error = refused(fetcher, url)
    assert error.code == "http_status" and "410" in error.reason and "retirez-la" in error.reason
    url = site.route(
        "/busy", status=429, body=b"", content_type="text/plain", headers={"Retry-After": "120"}
    )
    assert refused(fetcher, url).retry_after == 120
    url = site.route("/down", status=503, body=b"", content_type="text/plain")
    assert "erreur du serveur" in refused(fetcher, url).reason


def test_retry_after_as_a_date():
    now = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    assert retry_after("Thu, 05 Nov 2026 12:10:00 GMT", now) == 600
    assert retry_after("bientôt", now) is None


# -- timeouts ----------------------------------------------------------------------------------


def test_a_server_that_never_answers_costs_the_read_timeout(site, fetcher):
    url = site.route("/hang", behaviour="hang")
    usage = Usage()
    error = refused(fetcher, url, usage=usage)
    assert error.code == "timeout" and usage.requests == 1  # a request made, unanswered
    assert error.reason.startswith("le serveur ne répond pas (délai dépassé)")


@pytest.mark.parametrize("behaviour", ["trickle", "slow_headers"])
def test_a_server_that_trickles_is_cut_off_at_the_total_deadline(site, fetcher, behaviour):
    """Each byte comes well within the read timeout: only the total deadline stops it."""
    url = site.route("/slow", body=b"x" * 500, behaviour=behaviour, trickle_interval=0.1)
    error = refused(fetcher, url)
    assert error.code == "slow" and "plus de 1.5 s" in error.reason


def test_a_refused_connection(fetcher):
    with LoopbackSite() as gone:
        url = gone.url("/feed")
    error = refused(fetcher, url)
    assert error.code == "connect" and "connexion impossible" in error.reason


# -- politeness --------------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_gate_spaces_the_starts_of_requests_to_one_host():
    time = FakeTime()
    gate = HostGate(per_host=2, delay=1.5, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(3):
        with gate.slot("https://news.example/a"):
            starts.append(time.now)
    with gate.slot("https://other.example/a"):  # another host does not wait
        starts.append(time.now)
    assert starts == [100.0, 101.5, 103.0, 103.0]
    assert host_of("https://News.example/x") == "news.example:443"
    assert host_of("http://news.example:8080/") == "news.example:8080"


def test_the_gate_lets_at_most_n_requests_at_once_to_a_host():
    gate = HostGate(per_host=2, delay=0)
    inside, most, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def work():
        nonlocal inside, most
        with gate.slot("https://news.example/"):
            with lock:
                inside += 1
                most = max(most, inside)
            release.wait(0.2)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2


def test_a_server_never_sees_more_than_per_host_requests_at_once(site):
    for n in range(8):
        site.route(f"/f{n}", body=FEED, latency=0.1)
    polite = replace(FAST, per_host=2)
    with Fetcher(LOOPBACK, polite) as fetcher:
        threads = [
            threading.Thread(target=fetcher.fetch, args=(site.url(f"/f{n}"),)) for n in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(site.seen) == 8 and site.max_in_flight == 2


def test_no_proxy_and_no_netrc_are_used(site, fetcher, monkeypatch, tmp_path):
    """A proxy or a .netrc of the machine would send the watched site's traffic elsewhere or
    give it credentials: the fetcher uses neither."""
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login secret password hunter2\n")
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    url = site.route("/feed", body=FEED)
    assert fetcher.fetch(url).body == FEED
    assert "Authorization" not in site.requests_to("/feed")[0].headers


def test_waiting_for_the_host_s_turn_does_not_count_against_the_deadline(site):
    """Six sources of one host, one request at a time, 0.4 s apart: the last waits longer than
    the deadline for its turn, and is read all the same."""
    urls = [site.route(f"/f{n}", body=FEED) for n in range(6)]
    polite = replace(FAST, per_host=1, host_delay=0.4, deadline=1.0)
    with Fetcher(LOOPBACK, polite) as fetcher:
        results: list = []
        threads = [
            threading.Thread(target=lambda u=u: results.append(fetcher.fetch(u).body)) for u in urls
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [FEED] * 6


def test_an_address_s_password_never_appears_in_a_reason_or_detail(site, fetcher):
    site.redirect("/go", "ftp://moi:hunter2@files.example/feed.xml")
    error = refused(fetcher, site.url("/go"))
    assert error.code == "not_address" and "ftp://***@files.example" in error.reason
    assert "hunter2" not in error.reason + error.detail + repr(error.params)


def test_a_redirect_without_its_address_is_an_error(site, fetcher):
    url = site.route("/nowhere", status=302, body=b"", content_type="text/plain")
    error = refused(fetcher, url)
    assert error.code == "http_status" and "302" in error.reason


def test_an_unknown_host_says_to_check_the_address():
    def unresolvable(host, port, type=None):
        raise OSError("Name or service not known")

    with Fetcher(LOOPBACK, FAST, resolve=unresolvable) as fetcher:
        error = refused(fetcher, "https://nulle-part.example/flux")
    assert error.code == "unknown_host"
    assert error.reason == (
        "le serveur nulle-part.example est introuvable : vérifiez l'adresse de la source"
    )
