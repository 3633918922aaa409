"""The counter pixel: counts page views and arrivals per network, sets no cookie, keeps nothing
about the reader, and ignores robots."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

import pytest
from django.db.models import Sum
from django.utils import timezone
from wagtail.models import Site

from cms.audience import models as audience_models
from cms.audience.counting import Hit, record
from cms.audience.models import PageViewCount
from cms.core.models import RateCounter
from tests.audience.conftest import FIREFOX, SAFARI_IPHONE, SITE

PIXEL = "/c/p.gif"
SYNDICATED = {
    "utm_source": "mastodon",
    "utm_medium": "social",
    "utm_campaign": "actualites",
    "utm_content": "nomination",
}


def hit(client, ua: str = FIREFOX, **params):
    extra = {k: params.pop(k) for k in list(params) if k.startswith("HTTP_") or k == "REMOTE_ADDR"}
    return client.get(f"{PIXEL}?{urlencode(params)}", HTTP_USER_AGENT=ua, **extra)


def counts() -> dict[tuple, int]:
    return {
        (r.path, r.network, r.medium, r.campaign): r.views
        for r in PageViewCount.objects.filter(day=timezone.localdate())
    }


def test_answers_an_image_with_no_cookie_and_no_cache(db, built_site, client):
    response = hit(client, p="/actualites/nomination/", **SYNDICATED)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif" and response.content.startswith(b"GIF89a")
    assert "no-store" in response["Cache-Control"]
    assert response.cookies == {} and not response.has_header("Set-Cookie")
    assert client.cookies == {}


def test_counts_are_aggregated_per_day_page_and_source(db, built_site, client):
    for _ in range(3):
        hit(client, p="/actualites/nomination/", **SYNDICATED)
    hit(client, SAFARI_IPHONE, p="/actualites/nomination/", **SYNDICATED)
    hit(
        client,
        p="/actualites/nomination/",
        utm_source="linkedin",
        utm_medium="social",
        utm_campaign="actualites",
    )
    hit(client, p="/actualites/nomination/")
    hit(client, p="/actualites/nomination/index.html")
    hit(client, p="/", ref="www.linkedin.com")  # a link shared without utm
    hit(client, p="/", ref="alumni.example.org")  # the site itself: not an arrival
    assert counts() == {
        ("/actualites/nomination/", "mastodon", "social", "actualites"): 4,
        ("/actualites/nomination/", "linkedin", "social", "actualites"): 1,
        ("/actualites/nomination/", "", "", ""): 2,
        ("/", "linkedin", "", ""): 1,
        ("/", "", "", ""): 1,
    }
    assert PageViewCount.objects.count() == 5
    arrivals = (
        PageViewCount.objects.exclude(network="")
        .values("network")
        .annotate(n=Sum("views"))
        .order_by("network")
    )
    assert list(arrivals) == [{"network": "linkedin", "n": 2}, {"network": "mastodon", "n": 4}]


def test_without_javascript_the_page_address_comes_as_referrer(db, built_site, client):
    referer = f"{SITE}/actualites/nomination/?{urlencode(SYNDICATED)}"
    hit(client, p="/actualites/nomination/", HTTP_REFERER=referer)
    hit(client, HTTP_REFERER=referer)  # even without p
    hit(
        client,
        HTTP_REFERER=f"https://elsewhere.example/actualites/nomination/?{urlencode(SYNDICATED)}",
    )
    assert counts() == {("/actualites/nomination/", "mastodon", "social", "actualites"): 2}


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "http.rb/5.1.1 (Mastodon/4.2.8; +https://mastodon.social/)",
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Twitterbot/1.0",
        "python-requests/2.32.3",
        "curl/8.5.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/126.0.0.0 Safari/537.36",
    ],
)
def test_robots_are_not_counted(db, built_site, client, ua):
    response = hit(client, ua, p="/actualites/nomination/", **SYNDICATED)
    assert response.status_code == 200  # robots get the image all the same
    assert PageViewCount.objects.count() == 0


def test_prefetches_unknown_pages_and_other_methods_are_not_counted(db, built_site, client):
    hit(client, p="/actualites/nomination/", HTTP_SEC_PURPOSE="prefetch")
    hit(client, p="/page-qui-n-existe-pas/")
    hit(client, p="/../../etc/passwd")
    hit(client, p="https://evil.example/")
    assert client.post(f"{PIXEL}?p=/", HTTP_USER_AGENT=FIREFOX).status_code == 405
    assert client.head(f"{PIXEL}?p=/", HTTP_USER_AGENT=FIREFOX).status_code == 200
    assert PageViewCount.objects.count() == 0


def rows() -> set[tuple]:
    return {
        (r.network, r.source, r.medium, r.campaign)
        for r in PageViewCount.objects.filter(day=timezone.localdate())
    }


@pytest.mark.parametrize(
    "value",
    [
        "lea.martin@example.org",
        "Lea.Martin%40example.org",
        "+33 6 12 34 56 78",
        "06.12.34.56.78",
        "tel-0612345678",
        "(555) 123-4567",
        "Jean Dupont",  # free text, not a tag
        "News Letter<script>",
        "x" * 101,
    ],
)
def test_personal_or_odd_utm_values_are_dropped(db, built_site, client, value):
    hit(client, p="/", utm_source=value, utm_medium=value, utm_campaign=value)
    assert rows() == {("", "", "", "")}


def test_networks_come_from_the_registry_and_other_sources_stay_sources(db, built_site, client):
    hit(client, p="/", utm_source="Mastodon", utm_medium="social", utm_campaign="rentree-2026")
    hit(client, p="/", utm_source="twitter")  # an alias of a network
    hit(client, p="/", utm_source="newsletter", utm_medium="email", utm_campaign="novembre")
    hit(client, p="/", utm_source="myspace", ref="www.linkedin.com")
    assert rows() == {
        ("mastodon", "mastodon", "social", "rentree-2026"),
        ("x", "twitter", "", ""),
        ("", "newsletter", "email", "novembre"),
        ("linkedin", "myspace", "", ""),  # the network of the referring host
    }


def test_distinct_values_per_day_are_capped(db, built_site, client, settings):
    """300 random campaigns made 300 rows: past the day's cap they are counted as "autre"."""
    settings.RELAIS_COUNTER_DISTINCT_VALUES = 5
    for i in range(30):
        hit(client, p="/", utm_source=f"src{i}", utm_campaign=f"camp{i}", REMOTE_ADDR=f"10.0.0.{i}")
    hit(client, p="/", utm_source="src2", utm_campaign="camp3")  # values of the day: kept
    sources = Counter()
    campaigns = Counter()
    for row in PageViewCount.objects.all():
        sources[row.source] += row.views
        campaigns[row.campaign] += row.views
    assert sources == {**{f"src{i}": 1 for i in range(5)}, "src2": 2, "autre": 25}
    assert campaigns == {**{f"camp{i}": 1 for i in range(5)}, "camp3": 2, "autre": 25}
    assert PageViewCount.objects.count() == 7
    # the cap is per day: tomorrow starts afresh
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    record(Hit(path="/", source="src29", campaign="camp29"), tomorrow, site=Site.objects.get())
    assert PageViewCount.objects.filter(day=tomorrow, source="src29").exists()


@pytest.mark.parametrize(
    "path", ["/feeds/all.atom.xml", "/theme/css/site.css", "/x/photo.jpg", "/robots.txt"]
)
def test_only_html_pages_count(db, built_site, client, path):
    for name in ("feeds/all.atom.xml", "x/photo.jpg", "robots.txt"):
        (built_site / name).parent.mkdir(parents=True, exist_ok=True)
        (built_site / name).write_bytes(b"not a page")
    hit(client, p=path)
    hit(client, p="/actualites/nomination/")
    assert counts() == {("/actualites/nomination/", "", "", ""): 1}


def test_nothing_about_the_reader_is_stored(db, built_site, client):
    ip, ua = "203.0.113.77", SAFARI_IPHONE
    client.get(
        f"{PIXEL}?{urlencode({'p': '/', **SYNDICATED})}",
        HTTP_USER_AGENT=ua,
        REMOTE_ADDR=ip,
        HTTP_REFERER=f"{SITE}/",
    )
    assert PageViewCount.objects.count() == 1
    stored = []
    for model in (audience_models.PageViewCount, audience_models.LogIngestion):
        for row in model.objects.values():
            stored.extend(str(v) for v in row.values())
    assert not any(ip in v or "iPhone" in v or "Safari" in v for v in stored)
    field_names = {f.name for f in PageViewCount._meta.get_fields()}
    assert field_names == {
        "id",
        "site",  # whose site was read: an association, not a reader
        "day",
        "path",
        "network",
        "source",
        "medium",
        "campaign",
        "channel",
        "views",
    }


def test_counter_url_is_exported_with_the_site_settings(db, settings):
    from wagtail.models import Site

    from cms.core.models import AssociationSettings

    settings.WAGTAILADMIN_BASE_URL = "https://cms.alumni.example.org"
    config = AssociationSettings.for_site(Site.objects.get()).to_site_config()
    assert config.counter_url == "https://cms.alumni.example.org/c/p.gif"
    assert "counter_url: https://cms.alumni.example.org/c/p.gif" in config.to_yaml()
    settings.RELAIS_COUNTER = False
    assert AssociationSettings.for_site(Site.objects.get()).to_site_config().counter_url == ""


def test_one_address_cannot_inflate_a_page(db, built_site, client, settings):
    settings.RELAIS_COUNTER_RATE_LIMIT = (5, 3600)
    for _ in range(8):
        response = hit(client, p="/actualites/nomination/", REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200 and response.content.startswith(b"GIF89a")
    hit(client, p="/actualites/nomination/", REMOTE_ADDR="198.51.100.2")  # another reader
    assert counts() == {("/actualites/nomination/", "", "", ""): 6}
    # the limit keeps a keyed hash of the address, never the address itself
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2 and not any("203.0.113.7" in key for key in keys)
