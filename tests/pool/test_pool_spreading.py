"""Forty associations adopt the same item: their posts are spread over the window, one place
every window/40 in the order they were planned, instead of forty identical posts at once."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

from django.utils import timezone
from wagtail.models import Page, Site

from cms.content.models import HomePage, SectionIndexPage
from cms.federation.models import Association
from cms.pool import adoption
from cms.pool.models import Offer, Share
from cms.publishing.signal_handlers import suspended
from cms.social.models import Delivery, SocialAccount
from cms.social.planning import plan
from tests.cms.factories import make_item

N = 40


def associations_below(parent: Association, n: int) -> list[Association]:
    root = Page.get_first_root_node()
    found = []
    for i in range(n):
        home = root.add_child(instance=HomePage(title=f"Alumni {i}", slug=f"alumni-{i}"))
        home.add_child(
            instance=SectionIndexPage(title="Actualités", slug="actualites", section="actualites")
        )
        site = Site.objects.create(
            hostname=f"a{i}.localhost", root_page=home, site_name=f"Alumni {i}"
        )
        association = Association.for_site(site)
        association.parent = parent
        association.save()
        SocialAccount.objects.create(site=site, network="x", display_name=f"X {i}")
        found.append(association)
    return found


def shared_item(site_tree) -> Page:
    fed = Association.for_site(site_tree["site"])
    fed.kind = Association.Kind.FEDERATION
    fed.save()
    page = make_item(site_tree, publish=False, slug="appel-a-projets")
    Share.objects.create(page=page, mode=Share.Mode.ALL)
    with suspended():
        page.save_revision().publish()
    return page


def adopt_and_plan(offer: Offer, user) -> list[Delivery]:
    with suspended():  # the pipeline is tested elsewhere: here, the planning of the posts
        copy = adoption.adopt(offer, user)
    return plan(copy, SimpleNamespace(path=f"actualites/{copy.slug}.md"))


def test_forty_adopters_post_over_the_window(site_tree, admin_user, settings):
    settings.RELAIS_POOL_SPREAD_MINUTES = 180
    fed = Association.for_site(site_tree["site"])
    associations_below(fed, N)
    page = shared_item(site_tree)
    offers = list(
        Offer.objects.filter(original_id=page.pk).order_by("association__site__site_name")
    )
    assert len(offers) == N

    start = timezone.now()
    planned = [adopt_and_plan(offer, admin_user) for offer in offers]
    assert all(len(d) == 1 for d in planned)
    times = [d[0].post_at for d in planned]
    gap = dt.timedelta(minutes=180) / N
    assert start <= times[0] <= timezone.now()
    # the k-th adopter's post leaves k × window/N after the first: over the window, never two
    # in the same place
    assert [b - a for a, b in itertools.pairwise(times)] == [gap] * (N - 1)
    assert times[-1] - times[0] == gap * (N - 1) < dt.timedelta(minutes=180)


def test_an_editors_own_time_wins_and_a_late_adopter_posts_at_once(site_tree, admin_user, settings):
    settings.RELAIS_POOL_SPREAD_MINUTES = 60
    fed = Association.for_site(site_tree["site"])
    first, second, third = associations_below(fed, 3)
    page = shared_item(site_tree)
    offer = {o.association_id: o for o in Offer.objects.filter(original_id=page.pk)}

    [one] = adopt_and_plan(offer[first.pk], admin_user)
    # the second association writes its own time for X before its copy is live
    with suspended():
        copy = adoption.adapt(offer[second.pk], admin_user)
        copy.social_texts = {"x": {"post_at": "2031-05-04T09:30:00+02:00"}}
        copy.save_revision().publish()
    [two] = plan(copy, SimpleNamespace(path=f"actualites/{copy.slug}.md"))
    assert two.post_at == dt.datetime.fromisoformat("2031-05-04T09:30:00+02:00")

    # long after the others' posts, a copy's post leaves at once
    Delivery.objects.filter(pk=one.pk).update(post_at=one.post_at - dt.timedelta(hours=5))
    before = timezone.now()
    [three] = adopt_and_plan(offer[third.pk], admin_user)
    assert before <= three.post_at <= timezone.now()


def test_no_spreading_when_the_window_is_zero(site_tree, admin_user, settings):
    settings.RELAIS_POOL_SPREAD_MINUTES = 0
    fed = Association.for_site(site_tree["site"])
    associations_below(fed, 2)
    page = shared_item(site_tree)
    planned = [adopt_and_plan(o, admin_user) for o in Offer.objects.filter(original_id=page.pk)]
    assert [d[0].post_at for d in planned] == [None, None]
