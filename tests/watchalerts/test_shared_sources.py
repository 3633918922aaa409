"""Sources shared by a union with its members: checked once, their entries stored in each
member's desk with its own state and its own scores, muted by a member, managed by the union's
administrators, and never seen by an association outside the union."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cms.watch.checking import run_cycle
from cms.watch.models import Alert, AlertRule, KeywordRule, Source, SourceMute, WatchEntry

MASTER = "L'ENILC ouvre un master en chimie verte"
SHOWN = "L&#x27;ENILC ouvre un master en chimie verte"


def shared_press(union, web) -> Source:
    return Source.objects.create(
        site=union["u"]["site"], url=web.url("/presse.rss"), title="Presse", shared=True
    )


def test_a_shared_source_is_fetched_once_and_each_member_triages_it_alone(union, web, client):
    u, m1, m2 = union["u"], union["m1"], union["m2"]
    press = shared_press(union, web)
    KeywordRule.objects.create(site=m1["site"], word="chimie verte")
    AlertRule.objects.create(site=m2["site"], kind="keyword", word="ENILC")
    outcomes = run_cycle(now=timezone.now())
    assert [(o.source_id, o.ok) for o in outcomes] == [(press.pk, True)]
    assert len(web.requests_to("/presse.rss")) == 1  # one fetch for the whole union
    per_site = {
        key: WatchEntry.objects.filter(site=union[key]["site"], source=press).count()
        for key in ("u", "m1", "m2", "x")
    }
    assert per_site == {"u": 4, "m1": 4, "m2": 4, "x": 0}
    # each member its own scores (its own keyword rules) and its own alerts
    one = WatchEntry.objects.get(site=m1["site"], title=MASTER)
    two = WatchEntry.objects.get(site=m2["site"], title=MASTER)
    assert one.score >= 3 and "chimie verte" in one.matched and two.score == 0
    assert list(Alert.objects.values_list("site_id", "entry_id")) == [(m2["site"].pk, two.pk)]

    # each member its own state: M1 keeps it, M2 skips it
    client.force_login(m1["user"])
    assert SHOWN in client.get(f"/admin/watch/?site={m1['site'].pk}").content.decode()
    client.post(f"/admin/watch/entries/{one.pk}/keep/", {"kept_for": "review"})
    client.force_login(m2["user"])
    client.post(f"/admin/watch/entries/{two.pk}/skip/")
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.state, two.state) == ("kept", "skipped")
    assert WatchEntry.objects.get(site=u["site"], title=MASTER).state == "new"
    # M1 cannot act on M2's copy of the entry
    client.force_login(m1["user"])
    assert client.post(f"/admin/watch/entries/{two.pk}/later/").status_code == 404
    # the members' sources pages list it, the desk filters by it
    sources = client.get(f"/admin/watch/sources/?site={m1['site'].pk}").content.decode()
    assert "Sources partagées avec l'association" in sources and "Union U" in sources
    desk = client.get(f"/admin/watch/?site={m1['site'].pk}").content.decode()
    assert f'<option value="{press.pk}">Presse</option>' in desk

    # the next cycle is one conditional request again, for everyone
    run_cycle(now=timezone.now() + timedelta(hours=2))
    assert len(web.requests_to("/presse.rss")) == 2


def test_an_association_outside_the_union_never_sees_a_shared_source(union, web, client):
    x = union["x"]
    press = shared_press(union, web)
    run_cycle(now=timezone.now())
    client.force_login(x["user"])
    assert SHOWN not in client.get("/admin/watch/?period=all").content.decode()
    sources = client.get("/admin/watch/sources/").content.decode()
    assert "Sources partagées" not in sources and web.url("/presse.rss") not in sources
    for action in ("mute", "unmute"):
        response = client.post(f"/admin/watch/shared/{press.pk}/{action}/")
        assert response.status_code == 404
    for action in ("pause", "unshare", "delete"):
        assert client.post(f"/admin/watch/sources/{press.pk}/{action}/").status_code == 404
    press.refresh_from_db()
    assert press.shared and press.active and not SourceMute.objects.exists()
    # a keyword alert of X names the school: nothing, its desk never had the entry
    AlertRule.objects.create(site=x["site"], kind="keyword", word="ENILC")
    Source.objects.update(seen=[], etag="", next_check=None)
    run_cycle(now=timezone.now())
    assert not Alert.objects.filter(site=x["site"]).exists()
    assert not WatchEntry.objects.filter(site=x["site"]).exists()


def test_a_member_mutes_a_shared_source_and_the_union_manages_it(union, web, client):
    u, m1, m2 = union["u"], union["m1"], union["m2"]
    client.force_login(u["user"])
    # the union's administrator adds a source and shares it (the form's box is shown to them)
    assert "Partager avec les associations rattachées" in (
        client.get("/admin/watch/sources/").content.decode()
    )
    press = Source.objects.create(site=u["site"], url=web.url("/presse.rss"), title="Presse")
    client.post(f"/admin/watch/sources/{press.pk}/share/")
    press.refresh_from_db()
    assert press.shared

    client.force_login(m2["user"])
    # a member cannot share nor unshare the union's source, nor share its own (not a union)
    assert client.post(f"/admin/watch/sources/{press.pk}/unshare/").status_code == 404
    own = Source.objects.create(site=m2["site"], url=web.url("/fede.atom"), title="Fédé")
    refused = client.post(f"/admin/watch/sources/{own.pk}/share/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    own.refresh_from_db()
    assert not own.shared
    own.delete()
    # M2 mutes it: its entries no longer reach M2's desk, M1 still has them
    client.post(f"/admin/watch/shared/{press.pk}/mute/", {"site": m2["site"].pk})
    assert SourceMute.objects.filter(site=m2["site"], source=press).exists()
    assert "coupée" in client.get("/admin/watch/sources/").content.decode()
    run_cycle(now=timezone.now())
    assert WatchEntry.objects.filter(site=m1["site"]).count() == 4
    assert not WatchEntry.objects.filter(site=m2["site"]).exists()
    # listened to again: the next new entries arrive (what was given while muted is not kept)
    client.post(f"/admin/watch/shared/{press.pk}/unmute/", {"site": m2["site"].pk})
    assert not SourceMute.objects.exists()
    Source.objects.update(seen=[], etag="", next_check=None)
    run_cycle(now=timezone.now())
    assert WatchEntry.objects.filter(site=m2["site"]).count() == 4
    assert WatchEntry.objects.filter(site=m1["site"]).count() == 4  # nothing twice

    # unshared by the union: the members no longer receive it
    client.force_login(u["user"])
    client.post(f"/admin/watch/sources/{press.pk}/unshare/")
    feed = web.routes["/presse.rss"].body.replace(b"articles/futur", b"articles/nouveau")
    web.routes["/presse.rss"].body = feed.replace(b"Un article dat", b"Un nouvel article dat")
    Source.objects.update(seen=[], etag="", next_check=None)
    run_cycle(now=timezone.now())
    assert WatchEntry.objects.filter(site=u["site"]).count() == 5
    assert WatchEntry.objects.filter(site=m1["site"]).count() == 4
    # removing it would take the members' entries with it: refused, pausing is the way
    client.post(f"/admin/watch/sources/{press.pk}/delete/")
    assert Source.objects.filter(pk=press.pk).exists()
    assert WatchEntry.objects.filter(site=m1["site"]).count() == 4
