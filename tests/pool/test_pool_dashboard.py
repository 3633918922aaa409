"""The federation's dashboard: adoption of pooled items and what they brought, per association
and per pooled item, read from each association's own figures; counts only, never a person;
shown to the federation's and the unions' administrators, each for the associations below
them."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from cms.audience.models import PageViewCount
from cms.members.models import Signup
from cms.pool.models import Offer
from cms.publishing.models import ExportRecord
from tests.pool.conftest import editor_of
from tests.pool.test_pool_adoption import SLUG, act, offer_of, publish_shared


def cells(html: str, table: str) -> dict[str, list[str]]:
    """The rows of ``table`` (its ``data-table``), by their first attribute value."""
    tree = lxml.html.fromstring(html)
    out = {}
    for row in tree.xpath(f'//table[@data-table="{table}"]//tr[@data-association or @data-item]'):
        key = row.get("data-association") or row.get("data-item")
        out[key] = [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]
    return out


def signup(association: Any, name: str, item: str, network: str = "mastodon") -> Signup:
    return Signup.objects.create(
        site=association.site,
        name=name,
        email=f"{name.split()[0].lower()}@example.org",
        consent_text="J'accepte.",
        consented_at=timezone.now(),
        last_network=network,
        last_item=item,
    )


def visits(association: Any, path: str, views: int, network: str = "mastodon") -> None:
    PageViewCount.objects.create(
        site=association.site, day=timezone.localdate(), path=path, network=network, views=views
    )


@pytest.fixture
def pooled(federation, client, admin_user, django_capture_on_commit_callbacks) -> dict[str, Any]:
    """The federation shares an item with everyone below it; Nantes adopts it, Rennes declines
    it, Lyon and the union have not decided; readers and sign-ups on the original and the
    copy."""
    capture = django_capture_on_commit_callbacks
    client.force_login(admin_user)
    original = publish_shared(federation, capture)
    a, b = federation["a"], federation["b"]
    act(client, offer_of(original, a), "adopt", capture)
    act(client, offer_of(original, b), "decline", capture)
    copy = offer_of(original, a).copy
    key = f"actualites/{SLUG}"
    assert ExportRecord.objects.get(page_id=copy.pk).path == f"{key}.md"
    visits(federation["federation"], f"/{key}/", 3)
    visits(a, f"/{key}/", 5)
    visits(a, f"/{key}/", 2, network="")  # a visit from elsewhere than a network
    signup(federation["federation"], "Alice Original", key)
    signup(a, "Bruno Copie", key)
    signup(a, "Chloé Ailleurs", "", network="")
    return {**federation, "original": original, "copy": copy}


def test_adoption_and_what_it_brought_side_by_side(pooled, client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/pool/tableau/", {"site": pooled["federation"].site_id})
    assert response.status_code == 200
    html = response.content.decode()
    rows = cells(html, "associations")
    # Association | offered taken declined waiting rate | posts views interactions
    # visits-from-networks | sign-ups | of which through a pooled copy
    assert rows["nantes"][:6] == ["Alumni Nantes", "1", "1", "0", "0", "100 %"]
    assert rows["nantes"][9:] == ["5", "2", "1"]
    assert rows["rennes"][:6] == ["Alumni Rennes", "1", "0", "1", "0", "0 %"]
    assert rows["lyon"][:6] == ["Alumni Lyon", "1", "0", "0", "1", "0 %"]
    assert rows["union-ouest"][:6] == ["Union Ouest", "1", "0", "0", "1", "0 %"]
    assert rows["total"][:6] == ["Total", "4", "1", "1", "2", "25 %"]
    assert rows["total"][10:] == ["2", "1"]
    # the federation's own sign-up is the original's, not an association's
    assert pooled["federation"].slug not in rows

    item = cells(html, "pooled")[str(pooled["original"].pk)]
    # Article | offered taken declined waiting live copies | posts views interactions
    # visits-from-networks all-visits sign-ups
    assert item[:6] == ["Forum de l'emploi 2027", "4", "1", "1", "2", "1"]
    assert item[9:] == ["8", "10", "2"]  # the original's and Nantes' copy's, added up

    # counts, never a person
    for name in ("Alice", "Bruno", "Chloé", "@example.org"):
        assert name not in html


def test_each_administrator_sees_the_associations_below_them(
    pooled, django_user_model, client: Client
):
    union = pooled["union"]
    secretary = django_user_model.objects.create_user("union-admin", "u@example.org", "pw")
    secretary.groups.add(union.administrators, union.editors)
    client.force_login(secretary)
    response = client.get("/admin/pool/tableau/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tableau de la fédération" in html
    rows = cells(html, "associations")
    assert sorted(rows) == ["nantes", "rennes", "total"]
    # the federation's dashboard is not the union administrator's (Wagtail sends a refused
    # request back to the admin's home, with its message)
    refused = client.get("/admin/pool/tableau/", {"site": pooled["federation"].site_id})
    assert (refused.status_code, refused.url) == (302, "/admin/")

    # an association's editor has no dashboard, and no menu entry for it
    editor = Client()
    editor.force_login(editor_of(pooled["a"], "redaction-nantes", django_user_model))
    refused = editor.get("/admin/pool/tableau/")
    assert (refused.status_code, refused.url) == (302, "/admin/")
    assert "/admin/pool/tableau/" not in editor.get("/admin/").content.decode()
    assert "/admin/pool/tableau/" in client.get("/admin/").content.decode()


def test_an_offer_taken_later_moves_from_waiting_to_taken(
    pooled, client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    act(
        client,
        offer_of(pooled["original"], pooled["c"]),
        "adapt",
        django_capture_on_commit_callbacks,
    )
    assert offer_of(pooled["original"], pooled["c"]).state == Offer.State.ADAPTED
    html = client.get("/admin/pool/tableau/", {"site": pooled["federation"].site_id})
    rows = cells(html.content.decode(), "associations")
    assert rows["lyon"][:6] == ["Alumni Lyon", "1", "1", "0", "0", "100 %"]
    item = cells(html.content.decode(), "pooled")[str(pooled["original"].pk)]
    assert item[1:6] == ["4", "2", "1", "1", "1"]  # an adapted copy is a draft: not live
