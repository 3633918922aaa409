"""Each association's statistics: its posts, its site's visits and its sign-ups, in every
figure, chart, export, report and item panel."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from cms.audience.models import PageViewCount
from cms.members.models import Signup
from cms.publishing import export
from cms.social.models import Delivery, SocialAccount
from cms.stats.item import item_numbers
from cms.stats.models import MetricSample, TrackedPost
from tests.cms.factories import make_item


def activity(tree, label: str, likes: int, visits: int, signups: int):
    """An item of ``tree`` at the same address on both sites, posted, liked, visited and
    bringing sign-ups."""
    item = make_item(tree, title=f"Article {label}", slug="le-meme-article")
    export.export_page(item)
    account = SocialAccount.objects.create(
        site=tree["site"], network="mastodon", display_name=f"Compte {label}", remote_id=label
    )
    posted = timezone.now() - dt.timedelta(days=3)
    sent = Delivery.objects.create(
        account=account,
        page=item,
        item_key="actualites/le-meme-article",
        network="mastodon",
        state="sent",
        remote_id=f"post-{label}",
        attempted_at=posted,
    )
    TrackedPost.objects.create(delivery=sent, posted_at=posted)
    MetricSample.objects.create(
        delivery=sent, metric="likes", taken_at=posted + dt.timedelta(hours=1), value=likes
    )
    PageViewCount.objects.create(
        site=tree["site"],
        day=timezone.localdate() - dt.timedelta(days=2),
        path="/actualites/le-meme-article/",
        network="mastodon",
        views=visits,
    )
    for i in range(signups):
        Signup.objects.create(
            page=tree["signup"],
            name=f"{label} {i}",
            email=f"{label}{i}@example.org",
            consent_text="oui",
            consented_at=timezone.now() - dt.timedelta(days=1),
            last_network="mastodon",
            last_item="actualites/le-meme-article",
        )
    return item


@pytest.fixture
def both(two_sites):
    return {
        "a": activity(two_sites["a"], "Alpha", likes=100, visits=70, signups=5),
        "b": activity(two_sites["b"], "Bravo", likes=3, visits=4, signups=1),
    }


def test_the_overview_and_its_exports_are_the_associations(two_sites, both, b_user, client):
    client.force_login(b_user)
    page = client.get("/admin/stats/").content.decode()
    assert "Article Bravo" in page and "Alpha" not in page
    response = client.get("/admin/stats/export/reseaux.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    mastodon = next(r for r in rows if r[0] == "Mastodon")
    # posts, views, interactions, clicks, visits from the networks, sign-ups: B's
    assert mastodon[1] == "1" and mastodon[3] == "3" and mastodon[5] == "4" and mastodon[6] == "1"
    articles = client.get("/admin/stats/export/articles.csv").content.decode("utf-8-sig")
    assert "Article Bravo" in articles and "Alpha" not in articles
    report = client.get("/admin/stats/rapport/").content.decode()
    assert "Alumni B" in report and "Alpha" not in report


def test_an_items_panel_counts_its_own_sites_visits_and_sign_ups(both):
    numbers = item_numbers(both["b"])
    assert (numbers.visits, numbers.signups) == (4, 1)
    numbers = item_numbers(both["a"])
    assert (numbers.visits, numbers.signups) == (70, 5)
