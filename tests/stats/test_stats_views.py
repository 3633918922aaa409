"""The Statistics area shows what is stored: every number of its tables, of its charts (the SVG
bars) and of its CSV exports is compared with sums computed here from the rows (samples, page
views, sign-ups), for the whole history, for a period cutting through it, and filtered by
section and network. A metric a network refused reads "n/d", never 0."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cms.audience.models import PageViewCount
from cms.social.models import Delivery
from cms.stats.models import MetricSample
from syndication.networks import registry
from tests.stats.conftest import ITEMS
from tests.stats.support import (
    ENGAGEMENT,
    expected_gain,
    posts_between,
    sent,
    signups,
    soup,
    svg_series_totals,
    svg_values,
    table,
    visits,
)

DAY = dt.timedelta(days=1)


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def period(start: dt.date, end: dt.date, **extra: str) -> dict[str, str]:
    return {"period": "custom", "start": start.isoformat(), "end": end.isoformat(), **extra}


def expected_row(network: str, start: dt.date, end: dt.date, section: str = "") -> list:
    since, until = local_midnight(start), local_midnight(end + DAY)
    ids = [d.pk for d in sent(network, section)]
    prefix = f"/{section}/" if section else ""

    def shown(metrics) -> int | str:
        value = expected_gain(ids, metrics, since, until)
        if value is not None:
            return value
        refused = MetricSample.objects.filter(
            delivery_id__in=ids, metric__in=metrics, value__isnull=True
        ).exists()
        return "n/d" if refused else "—"

    return [
        posts_between(network, since, until, section),
        shown(("impressions",)),
        shown(ENGAGEMENT),
        shown(("clicks",)),
        visits(start, end, network=network, prefix=prefix),
        signups(since, until, network=network, prefix=f"{section}/" if section else ""),
    ]


@pytest.mark.parametrize("window", ["everything", "a period cutting through"])
def test_the_funnel_table_and_charts_agree_with_the_stored_data(
    history, client, admin_user, window
):
    t0 = history["t0"]
    if window == "everything":
        start, end = timezone.localdate(t0), timezone.localdate(t0 + 20 * DAY)
    else:
        start, end = timezone.localdate(t0 + 2 * DAY), timezone.localdate(t0 + 6 * DAY)
    client.force_login(admin_user)
    page = soup(client.get("/admin/stats/", period(start, end)))

    rows = table(page, "networks")
    funnel = svg_values(page, "chart-funnel")
    totals = {
        key: svg_series_totals(page, f"chart-{key}")
        for key in ("impressions", "engagement", "visits", "signups")
    }
    for network in registry:
        if network == "bluesky":
            assert network not in rows  # no account there: no row
            continue
        expected = expected_row(network, start, end)
        assert rows[network][:6] == expected, network
        views, engagement, _clicks, network_visits, joined = expected[1:6]
        label = registry[network].label
        for stage, value in (
            ("Vues", views),
            ("Interactions", engagement),
            ("Visites depuis les réseaux", network_visits),
            ("Adhésions depuis les réseaux", joined),
        ):
            if isinstance(value, int) and value:
                assert funnel[(network, stage)] == value, (network, stage)
            else:
                assert (network, stage) not in funnel  # nothing drawn for 0, n/d or —
        # the timelines cover the period bucket by bucket: their bars add up to the period
        for key, value in (
            ("impressions", views),
            ("engagement", engagement),
            ("visits", network_visits),
            ("signups", joined),
        ):
            assert totals[key].get(network, 0) == (value if isinstance(value, int) else 0), (
                network,
                key,
                label,
            )
    assert rows["instagram"][1] == "n/d"  # refused: never a zero
    assert rows["mastodon"][1] == "—"  # Mastodon counts no views
    known = [r for n, r in rows.items() if n != "total"]
    assert rows["total"][0] == sum(r[0] for r in known)
    assert rows["total"][4] == sum(r[4] for r in known)
    assert rows["total"][5] == sum(r[5] for r in known)
    assert rows["total"][1] == sum(r[1] for r in known if isinstance(r[1], int))
    cards = {
        li["data-card"]: li.select_one(".value").get_text(strip=True)
        for li in page.select("[data-card]")
    }
    assert cards["signups"] == str(rows["total"][5])


def test_filters_by_section_and_network(history, client, admin_user):
    t0 = history["t0"]
    start, end = timezone.localdate(t0), timezone.localdate(t0 + 20 * DAY)
    client.force_login(admin_user)
    page = soup(client.get("/admin/stats/", period(start, end, section="parcours")))
    rows = table(page, "networks")
    for network in ("mastodon", "x", "linkedin", "facebook", "instagram"):
        assert rows[network][:6] == expected_row(network, start, end, section="parcours")
    items = table(page, "items")
    assert set(items) == {"parcours/de-stagiaire-a-cto"}

    page = soup(client.get("/admin/stats/", period(start, end, network="linkedin")))
    rows = table(page, "networks")
    assert set(rows) == {"linkedin", "total"}
    assert rows["linkedin"][:6] == expected_row("linkedin", start, end)
    assert rows["total"][:6] == rows["linkedin"][:6]


def test_items_and_contributors_show_what_each_brought(history, client, admin_user):
    t0 = history["t0"]
    start, end = timezone.localdate(t0), timezone.localdate(t0 + 20 * DAY)
    since, until = local_midnight(start), local_midnight(end + DAY)
    client.force_login(admin_user)
    page = soup(client.get("/admin/stats/contributeurs/", period(start, end)))
    contributors = table(page, "contributors")
    overview = soup(client.get("/admin/stats/", period(start, end)))
    items = table(overview, "items")

    def item_numbers(key: str) -> list[int]:
        ids = [d.pk for d in Delivery.objects.filter(state="sent", item_key=key)]
        return [
            len(ids),
            expected_gain(ids, ("impressions",), since, until),
            expected_gain(ids, ENGAGEMENT, since, until),
            sum(
                PageViewCount.objects.filter(path=f"/{key}/", day__gte=start, day__lte=end)
                .exclude(network="")
                .values_list("views", flat=True)
            ),
            visits(start, end, path=f"/{key}/"),
            signups(since, until, item=key),
        ]

    expected_items = {key: item_numbers(key) for key in (f"{s}/{slug}" for s, slug, *_ in ITEMS)}
    for key, numbers in expected_items.items():
        assert items[key][1:] == numbers, key
    credits: dict[str, list[str]] = {}
    for section, slug, _title, names, _picture in ITEMS:
        for name in names:
            credits.setdefault(name, []).append(f"{section}/{slug}")
    for name, keys in credits.items():
        sums = [sum(expected_items[k][i] for k in keys) for i in range(6)]
        assert contributors[name] == [len(keys), *sums], name  # co-written: counts for both
    bars = svg_values(page, "chart-contributors")
    for name in credits:
        assert bars[("network_visits", name)] == contributors[name][4]


def test_csv_exports_hold_the_numbers_shown(history, client, admin_user):
    t0 = history["t0"]
    start, end = timezone.localdate(t0), timezone.localdate(t0 + 20 * DAY)
    client.force_login(admin_user)
    query = urlencode(period(start, end))
    page = soup(client.get(f"/admin/stats/?{query}"))
    shown = table(page, "networks")

    response = client.get(f"/admin/stats/export/reseaux.csv?{query}")
    assert response["Content-Type"].startswith("text/csv")
    assert f"{start:%Y%m%d}-{end:%Y%m%d}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Réseau" and rows[0][-1] == "Adhésions"
    by_label = {r[0]: r[1:] for r in rows[1:]}
    for network in ("mastodon", "x", "linkedin", "facebook", "instagram"):
        expected = expected_row(network, start, end)
        cells = [int(c) if c.isdigit() else c for c in by_label[registry[network].label]]
        assert cells == [v if v != "—" else "" for v in expected], network
        assert cells == [v if v != "—" else "" for v in shown[network][:6]]
    assert by_label["Instagram"][1] == "n/d"

    items = list(
        csv.reader(
            io.StringIO(
                client.get(f"/admin/stats/export/articles.csv?{query}").content.decode("utf-8-sig")
            )
        )
    )
    assert {r[0] for r in items[1:]} == {title for *_k, title, _n, _p in ITEMS}
    timeline = list(
        csv.reader(
            io.StringIO(
                client.get(f"/admin/stats/export/evolution-visits.csv?{query}").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    total_column = sum(int(r[-1] or 0) for r in timeline[1:])
    assert total_column == visits(start, end, network=None) - visits(start, end, network="")
    assert client.get(f"/admin/stats/export/inconnu.csv?{query}").status_code == 404


def test_a_title_cannot_become_a_spreadsheet_formula(history, client, admin_user, published):
    page = published["actualites/nomination-lea-martin"]
    from cms.publishing.models import ExportRecord

    ExportRecord.objects.filter(page_id=page.pk).update(title='=HYPERLINK("x")')
    t0 = history["t0"]
    client.force_login(admin_user)
    query = urlencode(period(timezone.localdate(t0), timezone.localdate(t0 + 20 * DAY)))
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/admin/stats/export/articles.csv?{query}").content.decode("utf-8-sig")
            )
        )
    )
    assert '\'=HYPERLINK("x")' in [r[0] for r in rows]


def test_a_title_with_control_characters_is_exported_clean(history, client, admin_user, published):
    page = published["actualites/nomination-lea-martin"]
    from cms.publishing.models import ExportRecord

    controls = "".join(chr(c) for c in range(1, 32)) + "\x7f"
    ExportRecord.objects.filter(page_id=page.pk).update(title=f"Nomination{controls} de Léa")
    t0 = history["t0"]
    client.force_login(admin_user)
    query = urlencode(period(timezone.localdate(t0), timezone.localdate(t0 + 20 * DAY)))
    response = client.get(f"/admin/stats/export/articles.csv?{query}")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert not ILLEGAL_CHARACTERS_RE.search(text)
    titles = [r[0] for r in csv.reader(io.StringIO(text))]
    assert any(t.startswith("Nomination") and t.endswith("de Léa") for t in titles), titles


def test_charts_are_accessible_with_a_table_next_to_each(history, client, admin_user):
    client.force_login(admin_user)
    page = soup(client.get("/admin/stats/"))
    charts = page.select("svg.stats-chart")
    assert len(charts) == 7  # funnel, four timelines, items, contributors
    for svg in charts:
        assert svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        assert svg.select_one(f"title#{title_id}").get_text(strip=True)
        assert svg.select_one(f"desc#{desc_id}").get_text(strip=True)
        block = svg.find_parent(class_="stats-chart-block")
        assert block.select_one("table caption"), svg["id"]
    assert not page.select('script[src^="http"], link[href^="http"]'), "no external file"


def test_bad_dates_say_what_to_do_and_show_the_default_period(history, client, admin_user):
    client.force_login(admin_user)
    page = soup(client.get("/admin/stats/", {"start": "2026-10-10", "end": "2026-10-01"}))
    assert "inversez les deux dates" in page.get_text()
    today = timezone.localdate()
    assert (today - dt.timedelta(days=89)).strftime("%Y") in page.select_one(
        ".stats-period"
    ).get_text()


def test_only_users_allowed_to_see_statistics_do(history, client, stats_user, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("redactrice", "r@example.org", "pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    for url in (
        "/admin/stats/",
        "/admin/stats/contributeurs/",
        "/admin/stats/rapport/",
        "/admin/stats/export/reseaux.csv",
    ):
        assert client.get(url).status_code in (302, 403), url
    assert "/admin/stats/" not in client.get("/admin/").content.decode()
    client.force_login(stats_user)
    assert client.get("/admin/stats/").status_code == 200
    assert "/admin/stats/" in client.get("/admin/").content.decode()
