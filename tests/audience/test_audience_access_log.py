"""Ingestion of a web server's access log: page views of people counted per day, page and
network; robots, files and errors left out; nothing counted twice."""

from __future__ import annotations

import gzip

import pytest
from django.core.management import CommandError, call_command

from cms.audience.models import LogIngestion, PageViewCount
from tests.audience.conftest import FIREFOX, SAFARI_IPHONE

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(
    target: str,
    *,
    ip: str = "203.0.113.9",
    when: str = "25/Nov/2026:10:00:00 +0100",
    status: int = 200,
    referer: str = "-",
    ua: str = FIREFOX,
    method: str = "GET",
) -> str:
    return f'{ip} - - [{when}] "{method} {target} HTTP/1.1" {status} 5120 "{referer}" "{ua}"\n'


def counts(channel: str = "log") -> dict[tuple, int]:
    return {
        (str(r.day), r.path, r.network, r.campaign): r.views
        for r in PageViewCount.objects.filter(channel=channel)
    }


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "access.log"
    syndicated = (
        "/actualites/nomination/?utm_source=mastodon&utm_medium=social"
        "&utm_campaign=actualites&utm_content=nomination"
    )
    path.write_text(
        "".join(
            [
                line(syndicated),
                line(syndicated, ip="198.51.100.4", ua=SAFARI_IPHONE),
                line("/actualites/nomination/", referer="https://www.linkedin.com/"),
                line("/actualites/nomination/", referer="https://alumni.example.org/actualites/"),
                line("/actualites/", when="25/Nov/2026:23:30:00 +0000"),  # 26 Nov in Paris
                line("/", status=304),
                line("/actualites/nomination/", ua=GOOGLEBOT),  # robot
                line("/theme/css/site.css"),  # a file, not a page
                line("/feeds/all.atom.xml"),
                line("/nulle-part/", status=404),
                line("/page-supprimee/"),  # not a page of the site
                line("/adherer/", method="POST"),
                "this is not a log line\n",
            ]
        ),
        encoding="utf-8",
    )
    return path


def test_counts_page_views_of_people_per_day_page_and_network(db, built_site, log, capsys):
    call_command("ingest_access_log", str(log), "--format", "combined")
    assert counts() == {
        ("2026-11-25", "/actualites/nomination/", "mastodon", "actualites"): 2,
        ("2026-11-25", "/actualites/nomination/", "linkedin", ""): 1,
        ("2026-11-25", "/actualites/nomination/", "", ""): 1,
        ("2026-11-26", "/actualites/", "", ""): 1,
        ("2026-11-25", "/", "", ""): 1,
    }
    out = capsys.readouterr().out
    assert "13 line(s) read, 6 page view(s) counted, 6 ignored" in out and "1 unreadable" in out
    stored = " ".join(str(v) for r in PageViewCount.objects.values() for v in r.values())
    assert "203.0.113.9" not in stored and "Firefox" not in stored


def test_running_again_counts_only_new_lines(db, built_site, log):
    call_command("ingest_access_log", str(log))
    call_command("ingest_access_log", str(log))
    assert sum(counts().values()) == 6
    with log.open("a", encoding="utf-8") as fh:
        fh.write(line("/parcours/de-stagiaire-a-cto/?utm_source=bluesky&utm_campaign=parcours"))
        fh.write(line("/parcours/de-stagiaire-a-cto/", ua=GOOGLEBOT))
        fh.write(line("/actualites/nomination/")[:40])  # a line still being written
    call_command("ingest_access_log", str(log))
    assert counts()[("2026-11-25", "/parcours/de-stagiaire-a-cto/", "bluesky", "parcours")] == 1
    assert sum(counts().values()) == 7
    ingestion = LogIngestion.objects.get()
    assert ingestion.lines_read == 15 and ingestion.views_counted == 7
    with log.open("a", encoding="utf-8") as fh:  # the line is complete now
        fh.write(line("/actualites/nomination/")[40:])
    call_command("ingest_access_log", str(log))
    assert counts()[("2026-11-25", "/actualites/nomination/", "", "")] == 2


def test_counter_and_log_are_separate_channels(db, built_site, log, client):
    call_command("ingest_access_log", str(log))
    client.get("/c/p.gif?p=/", HTTP_USER_AGENT=FIREFOX)
    assert sum(counts("pixel").values()) == 1 and sum(counts("log").values()) == 6


def test_gzipped_rotated_log(db, built_site, log, tmp_path):
    rotated = tmp_path / "access.log.1.gz"
    rotated.write_bytes(gzip.compress(log.read_bytes()))
    call_command("ingest_access_log", str(rotated))
    assert sum(counts().values()) == 6


def test_clear_errors(db, built_site, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest_access_log", str(tmp_path / "missing.log"))
    other = tmp_path / "json.log"
    other.write_text('{"path": "/"}\n{"path": "/x/"}\n')
    with pytest.raises(CommandError, match="combined log format"):
        call_command("ingest_access_log", str(other))
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("ingest_access_log", str(other), "--format", "json")
    assert PageViewCount.objects.count() == 0


def test_log_follows_the_counter_rules(db, built_site, tmp_path, settings):
    """The same validation as the pixel: registry networks, personal tags dropped, the day's cap
    of distinct values, pages only."""
    settings.RELAIS_COUNTER_DISTINCT_VALUES = 2
    log = tmp_path / "access.log"
    log.write_text(
        "".join(
            [
                line("/?utm_source=lea%40example.org&utm_campaign=0612345678"),
                line("/?utm_source=newsletter&utm_campaign=novembre"),
                *(line(f"/?utm_campaign=random{i}") for i in range(5)),
                line("/feeds/all.atom.xml?utm_source=mastodon"),
            ]
        ),
        encoding="utf-8",
    )
    call_command("ingest_access_log", str(log))
    rows = {
        (r.network, r.source, r.campaign): r.views for r in PageViewCount.objects.filter(path="/")
    }
    assert rows == {
        ("", "", ""): 1,
        ("", "newsletter", "novembre"): 1,
        ("", "", "random0"): 1,
        ("", "", "autre"): 4,
    }
    assert PageViewCount.objects.exclude(path="/").count() == 0
