"""The watch's admin through the test client: the desk sorted by score with its filters and
its keep / skip / later actions, a source added by its site's address, an entry turned into a
draft news item; and B's user neither sees nor changes anything of A's."""

from __future__ import annotations

from cms.content.models import AlumniNewsPage
from cms.watch.checking import run_cycle
from cms.watch.models import KeywordRule, Source, WatchEntry
from tests.watchdesk.conftest import HTML, fixture_bytes


def watched(two, web) -> Source:
    a = two["a"]
    KeywordRule.objects.create(site=a["site"], word="chimie verte")
    presse = Source.objects.create(
        site=a["site"], url=web.url("/presse.rss"), title="Industrie & Technologies"
    )
    run_cycle()
    return presse


def test_the_desk_shows_today_s_entries_best_first_and_acts_on_them(two, web, client):
    presse = watched(two, web)
    a = two["a"]
    client.force_login(a["user"])
    page = client.get("/admin/watch/").content.decode()
    first = page.index("L&#x27;ENILC ouvre un master en chimie verte")
    assert 0 < first < page.index("Un article daté de l&#x27;an 2099")  # the best score first
    assert 'aria-keyshortcuts="g"' in page and "watch-entry" in page

    entry = WatchEntry.objects.get(site=a["site"], title__startswith="L'ENILC")
    shown = WatchEntry.objects.filter(site=a["site"]).order_by("-score", "-published", "-pk")
    order = list(shown.values_list("pk", flat=True))
    after = order[order.index(entry.pk) + 1]
    response = client.post(
        f"/admin/watch/entries/{entry.pk}/keep/",
        {"kept_for": "review", "state": "new", "source": presse.pk},
    )
    assert response.status_code == 302
    assert f"source={presse.pk}&state=new&site=" in response["Location"]
    # the desk opens at the entry that came after it (the keyboard goes on from there)
    assert response["Location"].endswith(f"#entree-{after}")
    entry.refresh_from_db()
    assert (entry.state, entry.kept_for, entry.decided_by) == ("kept", "review", a["user"])
    other = WatchEntry.objects.get(site=a["site"], title__startswith="Salon")
    client.post(f"/admin/watch/entries/{other.pk}/skip/")
    client.post(f"/admin/watch/entries/{other.pk}/later/")
    other.refresh_from_db()
    assert other.state == "later" and other.kept_for == ""

    kept_only = client.get("/admin/watch/", {"state": "kept"}).content.decode()
    assert f'data-entry="{entry.pk}"' in kept_only
    assert f'data-entry="{other.pk}"' not in kept_only


def test_a_source_is_added_by_its_site_s_address(two, web, client):
    web.route("/", body=fixture_bytes("pages", "ecole-actualites.html"), content_type=HTML)
    web.route("/actualites/flux.rss", body=fixture_bytes("feeds", "presse.rss"))
    client.force_login(two["a"]["user"])
    response = client.post("/admin/watch/sources/add/", {"address": web.url("/"), "kind": ""})
    assert response.status_code == 302
    source = Source.objects.get(site=two["a"]["site"])
    assert (source.url, source.kind) == (web.url("/actualites/flux.rss"), "feed")
    assert source.title == "Industrie & Technologies — Actualités"
    listing = client.get(response["Location"]).content.decode()
    assert "Source ajoutée" in listing and "au prochain cycle" in listing
    # the health of a failing source, in plain words
    web.routes.pop("/actualites/flux.rss")
    Source.objects.update(next_check=None)
    run_cycle()
    listing = client.get("/admin/watch/sources/").content.decode()
    assert "le serveur répond « 404 introuvable »" in listing and "1 échec de suite" in listing
    # an address that cannot be read says why
    client.post("/admin/watch/sources/add/", {"address": web.url("/rien"), "kind": "page"})
    listing = client.get("/admin/watch/sources/").content.decode()
    assert "Cette adresse ne peut pas être lue" in listing


def test_an_entry_becomes_a_draft_news_item_crediting_its_source(two, web, client):
    watched(two, web)
    a = two["a"]
    entry = WatchEntry.objects.get(site=a["site"], title__startswith="L'ENILC")
    client.force_login(a["user"])
    response = client.post(f"/admin/watch/entries/{entry.pk}/draft/")
    draft = AlumniNewsPage.objects.get(title=entry.title)
    assert response["Location"] == f"/admin/pages/{draft.pk}/edit/"
    assert not draft.live and draft.get_parent().pk == a["indexes"]["actualites"].pk
    assert draft.summary.startswith("D'après Industrie & Technologies : ")
    blocks = {block.block_type: block for block in draft.body}
    assert blocks["quote"].value["attribution"] == "Industrie & Technologies"
    assert 0 < len(blocks["quote"].value["text"]) <= 300
    html = "".join(str(b.value) for b in draft.body if b.block_type == "paragraph")
    assert f'href="{entry.link}"' in html and "Commentaire de la rédaction" in html
    entry.refresh_from_db()
    assert (entry.state, entry.kept_for, entry.draft_id) == ("kept", "draft", draft.pk)
    assert client.get(response["Location"]).status_code == 200
    # only one draft per entry
    client.post(f"/admin/watch/entries/{entry.pk}/draft/")
    assert AlumniNewsPage.objects.filter(title=entry.title).count() == 1


def refused(response) -> None:
    """Wagtail answers a refusal (``PermissionDenied``) by sending back to the dashboard."""
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_b_s_user_sees_and_changes_nothing_of_a_s(two, web, client):
    presse = watched(two, web)
    a, b = two["a"], two["b"]
    rule = KeywordRule.objects.get(site=a["site"])
    entry = WatchEntry.objects.filter(site=a["site"]).first()
    client.force_login(b["user"])
    for url in ("/admin/watch/", "/admin/watch/sources/", "/admin/watch/?period=all"):
        page = client.get(url)
        assert page.status_code == 200
        assert presse.url not in page.content.decode()
        assert entry.title.replace("'", "&#x27;") not in page.content.decode()
    refused(client.get("/admin/watch/", {"site": a["site"].pk}))
    assert client.get("/admin/watch/", {"source": presse.pk}).status_code == 200  # not B's
    for action in ("keep", "skip", "later", "draft"):
        assert client.post(f"/admin/watch/entries/{entry.pk}/{action}/").status_code == 404
    for action in ("pause", "delete"):
        assert client.post(f"/admin/watch/sources/{presse.pk}/{action}/").status_code == 404
    assert client.post(f"/admin/watch/rules/{rule.pk}/delete/").status_code == 404
    refused(
        client.post(
            "/admin/watch/sources/add/", {"address": web.url("/fede.atom"), "site": a["site"].pk}
        )
    )
    assert not Source.objects.filter(url=web.url("/fede.atom")).exists()
    entry.refresh_from_db()
    presse.refresh_from_db()
    assert entry.state == "new" and presse.active and KeywordRule.objects.filter(pk=rule.pk)
    assert not AlumniNewsPage.objects.exists()
