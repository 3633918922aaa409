"""Each association's audience: its site loads its own counter address, its views are counted
for it, and an access log is read for the association named."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from cms.audience.models import PageViewCount
from cms.core.models import AssociationSettings
from cms.federation.models import Association
from tests.audience.conftest import FIREFOX
from tests.audience.test_audience_access_log import line

SITE = "https://alumni.example.org"


@pytest.fixture
def built(two_sites, settings) -> dict:
    """Both sites built (a page each), served from one host: A at its root, B in its folder."""
    settings.RELAIS_SITE_URL = SITE
    settings.WAGTAILADMIN_BASE_URL = "https://cms.example.org"
    for key in ("a", "b"):
        output = Path(two_sites[key]["association"].output_dir)
        for page in ("index.html", "actualites/nomination/index.html"):
            (output / page).parent.mkdir(parents=True, exist_ok=True)
            (output / page).write_text("<!doctype html><title>x</title>", encoding="utf-8")
    return two_sites


def views(tree) -> dict[str, int]:
    rows = PageViewCount.objects.filter(site=tree["site"]).values("path").annotate(n=Sum("views"))
    return {r["path"]: r["n"] for r in rows}


def test_each_site_loads_its_own_counter(built):
    a, b = built["a"], built["b"]
    assert a["association"].folder == ""  # the installation's first association
    config_a = AssociationSettings.for_site(a["site"]).to_site_config()
    config_b = AssociationSettings.for_site(b["site"]).to_site_config()
    assert config_a.counter_url == "https://cms.example.org/c/p.gif"
    assert config_b.counter_url == f"https://cms.example.org/c/{b['association'].slug}/p.gif"


def test_views_are_counted_for_the_association_the_counter_names(built, client):
    a, b = built["a"], built["b"]
    slug = b["association"].slug
    client.get("/c/p.gif", {"p": "/actualites/nomination/"}, HTTP_USER_AGENT=FIREFOX)
    client.get(f"/c/{slug}/p.gif", {"p": "/"}, HTTP_USER_AGENT=FIREFOX)
    # without JavaScript: the page's address (in B's folder) comes as the referrer
    folder = b["association"].folder
    client.get(
        f"/c/{slug}/p.gif",
        HTTP_USER_AGENT=FIREFOX,
        HTTP_REFERER=f"{SITE}/{folder}/actualites/nomination/?utm_source=mastodon",
    )
    unknown = client.get("/c/personne/p.gif", {"p": "/"}, HTTP_USER_AGENT=FIREFOX)
    assert unknown.status_code == 200 and unknown["Content-Type"] == "image/gif"
    assert views(a) == {"/actualites/nomination/": 1}
    assert views(b) == {"/": 1, "/actualites/nomination/": 1}
    assert PageViewCount.objects.get(site=b["site"], path="/actualites/nomination/").network == (
        "mastodon"
    )


def test_an_access_log_is_read_for_the_association_named(built, tmp_path):
    a, b = built["a"], built["b"]
    folder = b["association"].folder
    log = tmp_path / "access.log"
    log.write_text(
        line("/actualites/nomination/")  # A's page (A is at the host's root)
        + line(f"/{folder}/actualites/nomination/")  # B's page
        + line(f"/{folder}/"),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="several associations: say whose site"):
        call_command("ingest_access_log", str(log))
    with pytest.raises(CommandError, match="No association has the identifier 'zz'"):
        call_command("ingest_access_log", str(log), "--site", "zz")
    call_command("ingest_access_log", str(log), "--site", b["association"].slug)
    assert views(b) == {"/actualites/nomination/": 1, "/": 1}
    assert views(a) == {}
    # the same shared log, read for A: A's lines only, once each
    call_command("ingest_access_log", str(log), "--site", a["association"].slug)
    call_command("ingest_access_log", str(log), "--site", a["association"].slug)
    assert views(a) == {"/actualites/nomination/": 1}
    assert Association.objects.count() == 2
