"""The monthly report (a printable page for the board) and the item's own numbers in its
editor, both compared with the stored data."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.utils import timezone

from cms.members.models import Signup
from cms.social.models import Delivery
from cms.stats.forms import month_bounds
from cms.stats.models import MetricSample
from tests.stats.support import (
    ENGAGEMENT,
    expected_gain,
    posts_between,
    signups,
    soup,
    svg_series_totals,
    visits,
)

DAY = dt.timedelta(days=1)


def month_of(when: dt.datetime) -> dt.date:
    return timezone.localdate(when).replace(day=1)


def midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def test_the_monthly_report_holds_the_months_numbers_and_prints(history, client, admin_user):
    month = month_of(history["t0"] + 3 * DAY)
    # The report ends a month in progress today; the history's first reading is an hour after
    # "now", tomorrow when the test runs in the last hour of the day: the report's today is then
    # that reading's day, so that the month shown holds it.
    real_localdate = timezone.localdate
    today = max(real_localdate(), real_localdate(history["t0"] + dt.timedelta(hours=1)))
    start, end = month_bounds(month)
    end = min(end, today) if start <= today else end
    since, until = midnight(start), midnight(end + DAY)
    client.force_login(admin_user)
    with mock.patch.object(
        timezone,
        "localdate",
        side_effect=lambda value=None, timezone=None: (
            today if value is None else real_localdate(value, timezone)
        ),
    ):
        response = client.get("/admin/stats/rapport/", {"month": f"{month:%Y-%m}"})
    page = soup(response)

    ids = [d.pk for d in Delivery.objects.filter(state="sent")]
    posts = sum(
        posts_between(n, since, until)
        for n in ("mastodon", "x", "linkedin", "facebook", "instagram")
    )
    network_visits = visits(start, end) - visits(start, end, network="")
    expected = [
        posts,
        expected_gain(ids, ("impressions",), since, until),
        expected_gain(ids, ENGAGEMENT, since, until),
        network_visits,
        signups(since, until) - signups(since, until, network=""),
        signups(since, until),
    ]
    shown = [
        int(li.select_one(".value").get_text(strip=True).replace("\u202f", "").rstrip("*"))
        for li in page.select("[data-key-figures] li")
    ]
    assert shown == expected
    previous_start, previous_end = month_bounds(start - DAY)
    assert f"{previous_start:%Y-%m}" in page.select_one("nav").decode()
    befores = [
        li.select_one(".before").get_text(" ", strip=True)
        for li in page.select("[data-key-figures] li")
    ]
    before_signups = signups(midnight(previous_start), midnight(previous_end + DAY))
    assert befores[-1].endswith(str(before_signups))

    # the month day by day: its bars add up to the month's figures
    visits_chart = svg_series_totals(page, "chart-visits")
    assert sum(visits_chart.values()) == network_visits
    engagement_chart = svg_series_totals(page, "chart-engagement")
    assert sum(engagement_chart.values()) == expected[2]
    # printable, self-contained, in the admin's language
    html = response.content.decode()
    assert "@media print" in html and "@page" in html
    assert not page.select("script") and not page.select('link[rel="stylesheet"]')
    assert page.html["lang"]
    assert page.h1.get_text(strip=True).startswith("Rapport de")
    thanks = page.select(".thanks li")
    assert {li.strong.get_text() for li in thanks} == {"Claire Moreau", "Julien Perrin"}


def test_a_month_written_wrong_says_how_to_write_it(history, client, admin_user):
    client.force_login(admin_user)
    page = soup(client.get("/admin/stats/rapport/", {"month": "octobre"}))
    assert "écrivez-le AAAA-MM" in page.select_one('[role="alert"]').get_text()
    last_month = (timezone.localdate().replace(day=1) - DAY).replace(day=1)
    assert page.select_one("input#month")["value"] == f"{last_month:%Y-%m}"


def test_the_item_editor_shows_the_items_own_numbers(history, client, admin_user, published):
    page = published["parcours/de-stagiaire-a-cto"]
    client.force_login(admin_user)
    html = soup(client.get(f"/admin/pages/{page.pk}/edit/"))
    panel = html.select_one('[data-item-stats="parcours/de-stagiaire-a-cto"]')
    assert panel is not None
    deliveries = Delivery.objects.filter(page_id=page.pk, state="sent")
    rows = panel.select("tr[data-delivery]")
    assert {int(r["data-delivery"]) for r in rows} == {d.pk for d in deliveries}
    for row in rows:
        delivery = int(row["data-delivery"])
        for cell in row.select("td[data-metric]"):
            metric = cell["data-metric"]
            text = cell.get_text(strip=True).replace("\u202f", "").rstrip("*")
            if metric == "engagement":
                value = expected_gain(
                    [delivery],
                    ENGAGEMENT,
                    midnight(dt.date(2000, 1, 1)),
                    timezone.now() + 400 * DAY,
                )
                assert int(text) == value
                continue
            last = (
                MetricSample.objects.filter(delivery_id=delivery, metric=metric)
                .order_by("taken_at", "pk")
                .last()
            )
            if last is None:
                assert text == "—"
            elif last.value is None:
                assert text == "n/d"  # refused by the network: never 0
            else:
                assert int(text) == last.value
    facts = panel.select_one("[data-item-visits]")
    path = "/parcours/de-stagiaire-a-cto/"
    far = timezone.localdate() + 400 * DAY
    assert int(facts["data-item-visits"]) == visits(dt.date(2000, 1, 1), far, path=path)
    assert int(facts["data-item-network-visits"]) == visits(
        dt.date(2000, 1, 1), far, path=path
    ) - visits(dt.date(2000, 1, 1), far, network="", path=path)
    assert (
        int(facts["data-item-signups"])
        == Signup.objects.filter(last_item="parcours/de-stagiaire-a-cto").count()
    )
    assert any(c.get_text(strip=True) == "n/d" for c in panel.select('td[data-metric="reach"]'))


def test_a_new_item_has_no_numbers_yet(site_tree, client, admin_user):
    client.force_login(admin_user)
    index = site_tree["indexes"]["actualites"]
    html = soup(client.get(f"/admin/pages/add/content/alumninewspage/{index.pk}/"))
    assert "Les chiffres apparaîtront une fois l'article publié" in html.get_text()
