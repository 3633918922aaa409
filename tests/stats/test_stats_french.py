"""The statistics in French: a number before a noun agrees with it ("1 adhésion", "2
adhésions") on the overview's key figures, the monthly report and an item's own numbers; and
the report of October is the "Rapport d'octobre"."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from django.template.loader import render_to_string
from django.utils import timezone

from cms.audience.models import PageViewCount
from cms.members.models import Signup
from cms.social.models import Delivery, SocialAccount
from cms.stats.item import ItemNumbers, PostNumbers
from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401

KEY = "actualites/nomination-lea-martin"


def said(html: bytes | str, selector: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    return " ".join(" ".join(e.get_text(" ", strip=True) for e in soup.select(selector)).split())


def one_of_each(when=None) -> None:
    """One visit from LinkedIn and one sign-up it brought, today."""
    when = when or timezone.now()
    PageViewCount.objects.create(
        day=timezone.localdate(when), path=f"/{KEY}/", network="linkedin", views=1
    )
    Signup.objects.create(
        name="Léa Martin",
        email="lea@example.org",
        consent_text="oui",
        consented_at=when,
        created_at=when,
        last_network="linkedin",
        last_item=KEY,
    )


def test_key_figures_agree_with_their_number(site_tree, client, admin_user):  # noqa: F811
    one_of_each()
    client.force_login(admin_user)
    cards = said(client.get("/admin/stats/").content, ".stats-cards li")
    assert "1 visite du site depuis les réseaux" in cards
    assert "1 adhésion venue des réseaux" in cards
    assert "0 publications sur les réseaux" in cards
    report = said(
        client.get(f"/admin/stats/rapport/?month={timezone.localdate():%Y-%m}").content,
        "[data-key-figures] li",
    )
    assert "1 Adhésion venue des réseaux" in report
    assert "1 Adhésion (toutes origines)" in report
    assert not re.search(r"\b1 (visites|adhésions|Adhésions|Visites)\b", cards + report)


def test_an_items_numbers_agree_with_their_number():
    def panel(visits: int, signups: int) -> str:
        numbers = ItemNumbers(
            key=KEY,
            posts=[],
            metric_names=[],
            visits=visits,
            visits_by_network={"linkedin": visits},
            signups=signups,
            signups_by_network={"linkedin": signups},
        )
        return said(render_to_string("stats/panels/item_stats.html", {"numbers": numbers}), "p, li")

    one = panel(1, 1)
    assert "Page de l'article : 1 visite, dont 1 depuis les réseaux ;" in one
    assert "1 adhésion venue de cet article." in one
    assert "LinkedIn : 1 visite, 1 adhésion" in one
    several = panel(59, 2)
    assert "59 visites" in several and "2 adhésions venues de cet article." in several
    assert "LinkedIn : 59 visites, 2 adhésions" in several


def test_the_report_of_october_is_the_rapport_doctobre(site_tree, client, admin_user):  # noqa: F811
    year = timezone.localdate().year - 1
    client.force_login(admin_user)
    for month, title in ((10, f"Rapport d'octobre {year}"), (11, f"Rapport de novembre {year}")):
        soup = BeautifulSoup(
            client.get(f"/admin/stats/rapport/?month={year}-{month}").content, "html.parser"
        )
        assert soup.h1.get_text(strip=True) == title
        assert soup.title.get_text(strip=True).startswith(f"{title} — ")


def test_an_items_table_heads_its_columns_with_capitals():
    numbers = ItemNumbers(
        key=KEY,
        posts=[PostNumbers(Delivery(account=SocialAccount(network="x", display_name="Alumni")))],
        metric_names=["impressions", "likes"],
        visits=0,
        visits_by_network={},
        signups=0,
        signups_by_network={},
    )
    html = render_to_string("stats/panels/item_stats.html", {"numbers": numbers})
    heads = [
        th.get_text(strip=True) for th in BeautifulSoup(html, "html.parser").select("thead th")
    ]
    assert heads == ["Publication", "Vues", "J'aime", "Interactions"]
