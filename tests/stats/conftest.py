"""Fixtures of the statistics tests: the CMS site tree, the fake networks with an account on
each (from the syndication tests), and items really published and posted on them."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.utils import timezone

from cms.audience.models import PageViewCount
from cms.members.models import Signup
from cms.social.models import Delivery, SocialAccount
from cms.stats.pulling import pull
from cms.taxonomy.models import Contributor
from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401
from tests.cms.factories import make_image, make_item
from tests.social.conftest import fakes, social_settings  # noqa: F401
from tests.social.support import make_account

READER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
DAY = dt.timedelta(days=1)
#: The items of the tests: (section, slug, title, contributors, with a picture).
ITEMS = [
    ("actualites", "nomination-lea-martin", "Nomination de Léa Martin", ["Claire Moreau"], False),
    (
        "parcours",
        "de-stagiaire-a-cto",
        "De stagiaire à CTO",
        ["Claire Moreau", "Julien Perrin"],
        True,
    ),
    ("evenements", "afterwork-lyon", "Afterwork à Lyon", ["Julien Perrin"], True),
]


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def accounts(site_tree, fakes, admin_user) -> dict[str, SocialAccount]:  # noqa: F811
    return {
        name: make_account(site_tree["site"], fake, owner=admin_user)
        for name, fake in fakes.items()
    }


@pytest.fixture
def published(site_tree, accounts, django_capture_on_commit_callbacks) -> dict[str, Any]:  # noqa: F811
    """The items of :data:`ITEMS`, published in the CMS: exported, built, and posted on every
    account by the real delivery tasks."""
    pages = {}
    for section, slug, title, names, picture in ITEMS:
        extra: dict[str, Any] = {}
        if section == "evenements":
            extra["start"] = timezone.now() + dt.timedelta(days=20)
        if section == "parcours":
            extra["alumnus_name"] = "Léa Martin"
        if picture:
            extra.update(hero_image=make_image(title=slug[:20]), hero_alt="Une photo")
        with django_capture_on_commit_callbacks(execute=True):
            page = make_item(
                site_tree, section, title=title, slug=slug, summary=f"{title} : le résumé.", **extra
            )
        page.contributors.set([Contributor.objects.get_or_create(name=n)[0] for n in names])
        page.save()  # a parental many-to-many is written with its page
        pages[f"{section}/{slug}"] = page
    sent = Delivery.objects.filter(state="sent")
    assert sent.count() == 4 * len(ITEMS) + 2, list(
        Delivery.objects.values_list("network", "state", "reason")
    )  # Instagram: the two items with a picture
    return pages


@pytest.fixture
def stats_user(django_user_model):
    user = django_user_model.objects.create_user("tresoriere", "t@example.org", "pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_statistics"),
    )
    return user


@pytest.fixture
def history(published, fakes, client):  # noqa: F811
    """Three readings of every post (1 hour, 3 days, 12 days after), with reactions in
    between; Instagram refuses its insights. Visits counted by the counter view with the
    posted links (today), and more on a later day; sign-ups at several times."""
    t0 = timezone.now()
    rng = random.Random(5)
    fakes["instagram"].insights_allowed = False
    for offset in (dt.timedelta(hours=1), 3 * DAY, 12 * DAY):
        for delivery in Delivery.objects.filter(state="sent"):
            fake = fakes[delivery.network]
            fake.engage(
                delivery.remote_id, **{m: rng.randrange(0, 120) for m in fake.counter_names}
            )
        pull(t0 + offset)
    links = {}
    for delivery in Delivery.objects.filter(state="sent"):
        post = next(p for p in fakes[delivery.network].posts if p["id"] == delivery.remote_id)
        links[delivery.pk] = post["link"]
        path_query = post["link"].split("://", 1)[1].split("/", 1)[1]
        path, _, query = path_query.partition("?")
        for _ in range(rng.randrange(1, 4)):
            response = client.get(
                f"/c/p.gif?{urlencode({'p': '/' + path})}&{query}", HTTP_USER_AGENT=READER
            )
            assert response.status_code == 200
    assert PageViewCount.objects.exclude(network="").exists()
    later = timezone.localdate(t0 + 4 * DAY)
    for key in list(published)[:2]:
        PageViewCount.objects.create(day=later, path=f"/{key}/", network="linkedin", views=7)
        PageViewCount.objects.create(day=later, path=f"/{key}/", network="", views=3)
    keys = list(published)
    for when, network, item in (
        (t0 + dt.timedelta(hours=2), "x", keys[0]),
        (t0 + 2 * DAY, "linkedin", keys[1]),
        (t0 + 5 * DAY, "mastodon", keys[1]),
        (t0 + 13 * DAY, "", keys[2]),
    ):
        Signup.objects.create(
            name="Léa Martin",
            email=f"{network or 'direct'}@example.org",
            consent_text="oui",
            consented_at=when,
            created_at=when,
            last_network=network,
            last_item=item,
        )
    return {"t0": t0, "links": links}
