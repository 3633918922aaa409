"""The press review: the entries kept for it gathered into one draft "Revue de presse" item,
each credited and linked, exported to Markdown + YAML like any item once published; entries
already in a review are not gathered again."""

from __future__ import annotations

import frontmatter

from cms.content.models import PressReviewPage, SectionIndexPage
from cms.publishing import export
from cms.publishing.views import preview_model
from cms.watch.checking import run_cycle
from cms.watch.models import Source, WatchEntry


def test_kept_entries_make_a_press_review_exported_like_any_item(two, web, client):
    a = two["a"]
    Source.objects.create(site=a["site"], url=web.url("/presse.rss"), title="Industrie & Techno")
    run_cycle()
    client.force_login(a["user"])
    entries = WatchEntry.objects.filter(site=a["site"]).order_by("published")
    master, salon = (
        entries.get(title__contains="chimie verte"),
        entries.get(title__contains="Salon"),
    )
    for entry in (master, salon):
        client.post(f"/admin/watch/entries/{entry.pk}/keep/", {"kept_for": "review"})
    discussion = entries.get(title__contains="Classement")
    client.post(f"/admin/watch/entries/{discussion.pk}/keep/", {"kept_for": "discussion"})
    desk = client.get("/admin/watch/").content.decode()
    assert "Composer la revue de presse (2 articles gardés)" in desk

    response = client.post("/admin/watch/review/", {"site": a["site"].pk})
    review = PressReviewPage.objects.get()
    assert response["Location"] == f"/admin/pages/{review.pk}/edit/"
    assert not review.live and review.title.startswith("Revue de presse du ")
    assert review.get_parent().specific.section == "actualites"
    assert review.summary == "2 articles repérés par la rédaction, chez Industrie & Techno."
    assert set(WatchEntry.objects.filter(review=review)) == {master, salon}
    assert client.get(response["Location"]).status_code == 200
    # nothing left to gather: the next review says what to do
    client.post("/admin/watch/review/", {"site": a["site"].pk})
    assert PressReviewPage.objects.count() == 1
    assert (
        "Aucun article gardé pour la revue de presse"
        in client.get("/admin/watch/").content.decode()
    )

    # published, it is an item of the alumni news: Markdown with its YAML front matter
    review.save_revision(user=a["user"]).publish()
    record = export.export_page(review)
    post = frontmatter.loads((export.content_dir(a["site"]) / record.path).read_text())
    assert record.path.startswith("actualites/") and post["title"] == review.title
    assert f"[{master.title}]({master.link})" in post.content
    assert f"[{salon.title}]({salon.link})" in post.content
    assert post.content.count("Industrie & Techno") >= 2  # each credited
    assert discussion.link not in post.content


def test_a_press_review_goes_under_the_news_index_only(two):
    news = two["a"]["indexes"]["actualites"]
    careers = two["a"]["indexes"]["parcours"]
    assert PressReviewPage.can_create_at(news)
    assert not PressReviewPage.can_create_at(careers)
    assert isinstance(news, SectionIndexPage)
    assert preview_model("content.pressreviewpage") is PressReviewPage  # previewed as any item
