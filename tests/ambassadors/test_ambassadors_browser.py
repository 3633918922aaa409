"""The ambassador flow in Debian's Chromium: the personal page opens from its private link, a
share link carries the reference, the Mastodon server is asked once and remembered; the shared
link opened on the built static site is counted for the ambassador by the counter, and the
sign-up made from there is attributed to them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from wagtail.models import Site

from cms.ambassadors.leaderboard import leaderboard
from cms.ambassadors.models import Ambassador, AmbassadorVisits
from cms.members.models import Signup
from tests.members.test_members_attribution_browser import (  # noqa: F401
    ITEM,
    SLUG,
    in_chromium,
    sign_up,
    sites,
    views_of,
)

pytestmark = pytest.mark.browser


def test_an_ambassadors_share_is_counted_and_the_sign_up_attributed(sites):  # noqa: F811
    site = Site.objects.get(is_default_site=True)
    ambassador = Ambassador.objects.create(site=site, name="Inès Relais", email="i@example.org")
    ref = ambassador.reference

    def steps(page, context):
        page.goto(f"{sites['cms']}/ambassadeurs/{ambassador.token}/")
        assert "Bonjour Inès Relais" in page.locator("h1").inner_text()
        assert page.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"
        x = page.locator('section[data-network="x"]')
        href = x.locator("a.share-link").get_attribute("href")
        assert href.startswith("https://x.com/intent/tweet?text=")
        link = x.locator("a.copy-link").get_attribute("href")
        assert f"utm_content={ref}" in link and "utm_medium=ambassador" in link
        assert link in parse_qs(urlsplit(href).query)["text"][0]
        # Mastodon: no server yet; typed once, then remembered by this browser
        assert page.locator("[data-mastodon-missing]").count() == 1
        page.locator("#id_mastodon").fill("mamot.fr")
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_load_state()
        masto = page.locator('section[data-network="mastodon"] a.share-link').get_attribute("href")
        assert masto.startswith("https://mamot.fr/share?text=")
        page.goto(f"{sites['cms']}/ambassadeurs/{ambassador.token}/")
        page.wait_for_url("**mastodon=mamot.fr**")
        masto = page.locator('section[data-network="mastodon"] a.share-link').get_attribute("href")
        assert masto.startswith("https://mamot.fr/share?text=")

        # A reader opens the shared link on the static site: counted for the ambassador
        assert link.startswith(sites["site"])
        page.goto(link)
        assert views_of(f"/actualites/{SLUG}/", "x") == 1
        # and signs up from there
        page.locator("aside.join").get_by_role("link", name="Adhérer / Join").click()
        page.wait_for_url(f"{sites['cms']}/adherer/**")
        sign_up(page, "Léa Martin", "lea.martin@example.org")
        assert "Votre demande est bien enregistrée" in page.locator("main").inner_text()

    in_chromium(steps)
    visits = AmbassadorVisits.objects.get(ambassador=ambassador)
    assert (visits.views, visits.network, visits.day) == (1, "x", timezone.localdate())
    signup = Signup.objects.get()
    for touch in ("first", "last"):
        assert getattr(signup, f"{touch}_medium") == "ambassador"
        assert getattr(signup, f"{touch}_content") == ref
        assert getattr(signup, f"{touch}_network") == "x"
        assert getattr(signup, f"{touch}_item") == ITEM
    (row,) = leaderboard(site, timezone.localdate(), timezone.localdate())
    assert (row.ambassador, row.visits, row.signups) == (ambassador, 1, 1)
