"""Alerts in the admin: rules added and followed on Veille → Alertes, the dashboard panel
"Alertes de la veille" (the unread first, marked read per person), and another association's
people seeing and changing nothing of them."""

from __future__ import annotations

from django.utils import timezone

from cms.watch.checking import run_cycle
from cms.watch.models import Alert, AlertFollow, AlertRule, Source
from tests.federation.builders import member_of

TITLE = "L&#x27;ENILC ouvre un master en chimie verte"


def raised(two, web) -> list[Alert]:
    site = two["a"]["site"]
    Source.objects.create(site=site, url=web.url("/presse.rss"), title="Presse")
    AlertRule.objects.create(site=site, kind="keyword", word="ENILC")
    AlertRule.objects.create(site=site, kind="keyword", word="plasturgie")
    run_cycle(now=timezone.now())
    return list(Alert.objects.order_by("pk"))


def panel(html: str) -> str:
    start = html.index("Alertes de la veille")
    return html[start : html.index("</section>", start)]


def test_a_rule_added_in_the_admin_is_followed_by_who_added_it(two, web, client):
    a = two["a"]
    page = Source.objects.create(site=a["site"], url=web.url("/classement"), kind="page")
    client.force_login(a["user"])
    html = client.get("/admin/watch/alerts/").content.decode()
    assert "Ajouter une alerte" in html and f'value="{page.pk}"' in html
    response = client.post(
        "/admin/watch/alerts/rules/add/", {"site": a["site"].pk, "kind": "page", "source": page.pk}
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get(site=a["site"])
    assert (rule.kind, rule.source, rule.created_by) == ("page", page, a["user"])
    assert AlertFollow.objects.filter(user=a["user"], rule=rule).exists()
    # a keyword rule needs its word; a page rule its page: refused with what to do
    client.post("/admin/watch/alerts/rules/add/", {"site": a["site"].pk, "kind": "keyword"})
    client.post("/admin/watch/alerts/rules/add/", {"site": a["site"].pk, "kind": "page"})
    assert AlertRule.objects.count() == 1
    html = client.get("/admin/watch/alerts/").content.decode()
    assert "Écrivez le mot ou l&#x27;expression à guetter" in html
    # another association's page cannot be the rule's page
    other = Source.objects.create(site=two["b"]["site"], url=web.url("/fede.atom"), kind="page")
    client.post(
        "/admin/watch/alerts/rules/add/", {"site": a["site"].pk, "kind": "page", "source": other.pk}
    )
    assert AlertRule.objects.count() == 1
    client.post(f"/admin/watch/alerts/rules/{rule.pk}/unfollow/")
    assert not AlertFollow.objects.filter(user=a["user"]).exists()


def test_the_dashboard_panel_shows_followed_alerts_unread_first_and_marks_them_read(
    two, web, client
):
    school, sector = raised(two, web)
    a = two["a"]
    client.force_login(a["user"])
    assert "Alertes de la veille" not in client.get("/admin/").content.decode()  # follows none

    client.post(f"/admin/watch/alerts/rules/{school.rule_id}/follow/")
    shown = panel(client.get("/admin/").content.decode())
    assert TITLE in shown and "1 non lue" in shown
    assert "Salon de la plasturgie" not in shown  # a rule they do not follow

    client.post("/admin/watch/alerts/follow-all/", {"site": a["site"].pk})
    shown = panel(client.get("/admin/").content.decode())
    assert "2 non lues" in shown and "Salon de la plasturgie" in shown

    response = client.post(f"/admin/watch/alerts/{sector.pk}/read/", {"next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    shown = panel(client.get("/admin/").content.decode())
    assert "1 non lue" in shown
    # the unread one comes first, the read one after it, without its button
    assert shown.index(TITLE) < shown.index("Salon de la plasturgie")
    assert shown.count("Marquer comme lue") == 1
    # read is per person: a colleague following everything still has both unread
    colleague = member_of(a["association"], "editors", username="anne")
    AlertFollow.objects.create(user=colleague, site=a["site"])
    client.force_login(colleague)
    assert "2 non lues" in panel(client.get("/admin/").content.decode())
    client.post("/admin/watch/alerts/read-all/", {"site": a["site"].pk})
    assert "non lue" not in panel(client.get("/admin/").content.decode())
    assert set(sector.read_by.all()) == {a["user"], colleague}


def test_another_association_sees_and_changes_nothing_of_the_alerts(two, web, client):
    school, _sector = raised(two, web)
    a, b = two["a"], two["b"]
    AlertFollow.objects.create(user=a["user"], site=a["site"])
    # B's user cannot follow A's alerts, nor read, follow or delete A's rules and alerts
    client.force_login(b["user"])
    refused = client.post("/admin/watch/alerts/follow-all/", {"site": a["site"].pk})
    assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail's refusal
    assert not AlertFollow.objects.filter(user=b["user"]).exists()
    for url in (
        f"/admin/watch/alerts/{school.pk}/read/",
        f"/admin/watch/alerts/rules/{school.rule_id}/follow/",
        f"/admin/watch/alerts/rules/{school.rule_id}/delete/",
    ):
        assert client.post(url).status_code == 404, url
    assert not school.read_by.exists() and AlertRule.objects.count() == 2
    # a follow row made for B's user on A's site by mistake shows them nothing either
    AlertFollow.objects.create(user=b["user"], site=a["site"])
    html = client.get("/admin/").content.decode()
    assert TITLE not in html
    assert "ENILC" not in client.get("/admin/watch/alerts/").content.decode()
