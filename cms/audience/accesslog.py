"""Page views from a web server's access log, for a static site served by another web server.

Reads the *combined* log format (Apache's and nginx's default)::

    203.0.113.9 - - [25/Nov/2026:10:00:00 +0100] "GET /actualites/x/?utm_source=mastodon \
    HTTP/1.1" 200 5120 "https://mastodon.social/" "Mozilla/5.0 …"    (one line)

A line counts as a page view when it is a ``GET`` answered ``200`` or ``304``, for an HTML page
of the built site (:func:`~cms.audience.counting.is_page`), by a user agent that is not a
robot; its ``utm_*`` values follow the pixel's rules (:func:`~cms.audience.counting.hit_from`,
and the daily cap of :func:`~cms.audience.counting.record`). The IP address and the user
agent are read to decide, and never kept: only the aggregated counts are stored, under the
channel "log".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings

from .counting import Hit, clean_path, external_host, hit_from, is_bot, is_page

COMBINED = re.compile(
    r'^(?P<host>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<target>\S+)'
    r'(?: [^"]*)?" (?P<status>\d{3}) \S+ "(?P<referer>(?:[^"\\]|\\.)*)" '
    r'"(?P<agent>(?:[^"\\]|\\.)*)"'
)
MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
FORMATS = {"combined": COMBINED}


class LogFormatError(ValueError):
    pass


def parse_time(value: str) -> dt.datetime:
    """``25/Nov/2026:10:00:00 +0100`` (month names are always English in these logs)."""
    m = re.fullmatch(r"(\d{2})/(\w{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})", value)
    if not m or m.group(2) not in MONTHS:
        raise LogFormatError(f"unreadable time {value!r}")
    day, mon, year, hh, mm, ss, sign, oh, om = m.groups()
    offset = dt.timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
    return dt.datetime(
        int(year), MONTHS[mon], int(day), int(hh), int(mm), int(ss), tzinfo=dt.timezone(offset)
    )


@dataclass
class Tally:
    views: Counter = field(default_factory=Counter)  # (day, Hit) -> views
    lines: int = 0
    unreadable: int = 0
    ignored: int = 0

    @property
    def counted(self) -> int:
        return sum(self.views.values())


@dataclass(frozen=True)
class SiteAt:
    """Where the site whose log is read is served: its public address (a path after the host
    when it is served in a folder of a shared host, ``https://host/<folder>``) and its built
    pages; lines for pages outside that folder are another site's, and not counted."""

    url: str
    output: Path | None = None

    @property
    def prefix(self) -> str:
        return urlsplit(self.url).path.rstrip("/")

    def path_of(self, target_path: str) -> str:
        """The path of a requested page on the site, ``""`` when it is not under it."""
        prefix = self.prefix
        if not prefix:
            return target_path
        if target_path == prefix or target_path.startswith(prefix + "/"):
            return target_path[len(prefix) :] or "/"
        return ""


def page_view(
    line: str, pattern: re.Pattern[str] = COMBINED, site: SiteAt | None = None
) -> tuple[dt.date, Hit] | None:
    """The (day, hit) of a log line, ``None`` if it is not a page view by a person (on
    ``site``, when given). Raises :class:`LogFormatError` for a line that is not in the
    format."""
    m = pattern.match(line)
    if not m:
        raise LogFormatError("not in the combined log format")
    if m["method"] != "GET" or m["status"] not in ("200", "304") or is_bot(m["agent"]):
        return None
    target = m["target"]
    path = clean_path(target)
    if path and site is not None:
        path = site.path_of(path)
    if not path or not is_page(path, site.output if site else None):
        return None
    utm = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items() if k.startswith("utm_")}
    referer = "" if m["referer"] == "-" else m["referer"]
    when = parse_time(m["time"]).astimezone(ZoneInfo(settings.TIME_ZONE))
    own = site.url if site else None
    return when.date(), hit_from(path, utm, external_host(referer, own))


def tally(lines: Iterable[str], fmt: str = "combined", site: SiteAt | None = None) -> Tally:
    pattern = FORMATS[fmt]
    result = Tally()
    for line in lines:
        if not line.strip():
            continue
        result.lines += 1
        try:
            view = page_view(line.rstrip("\n"), pattern, site)
        except LogFormatError:
            result.unreadable += 1
            continue
        if view is None:
            result.ignored += 1
        else:
            result.views[view] += 1
    return result
