"""Who a pooled item is offered to: all the associations below its author, a chosen list, or
those of chosen sectors; a union's members only; offers made when the item is published."""

from __future__ import annotations

import pytest

from cms.federation.models import Association, Sector
from cms.pool.models import Offer, Share
from cms.pool.sharing import targets
from tests.cms.factories import make_item


def item_of(association: Association, publish: bool = True, slug: str = "forum-emploi"):
    home = association.site.root_page
    index = home.get_children().filter(slug="actualites").first().specific
    tree = {"indexes": {"actualites": index}}
    return make_item(tree, publish=publish, title="Forum de l'emploi", slug=slug)


def share(page, mode=Share.Mode.ALL, associations=(), sectors=()) -> Share:
    shared = Share.objects.create(page=page, mode=mode)
    shared.associations.set(associations)
    shared.sectors.set(sectors)
    return shared


def offered(page) -> set[str]:
    return set(
        Offer.objects.filter(original_id=page.pk).values_list("association__slug", flat=True)
    )


def test_the_federation_shares_with_its_whole_tree(federation):
    page = item_of(federation["federation"], publish=False)
    share(page)
    assert offered(page) == set()  # a draft offers nothing
    page.save_revision().publish()
    assert offered(page) == {"union-ouest", "nantes", "rennes", "lyon"}
    assert all(o.state == Offer.State.PROPOSED for o in Offer.objects.all())
    page.save_revision().publish()  # publishing again makes no second offer
    assert Offer.objects.filter(original_id=page.pk).count() == 4


def test_a_union_shares_with_its_members_only(federation):
    page = item_of(federation["union"], publish=False)
    share(page)
    page.save_revision().publish()
    assert offered(page) == {"nantes", "rennes"}


def test_a_chosen_list_never_reaches_another_branch(federation):
    f = federation
    page = item_of(f["federation"], publish=False)
    share(page, Share.Mode.CHOSEN, associations=[f["a"], f["c"]])
    page.save_revision().publish()
    assert offered(page) == {"nantes", "lyon"}

    from_union = item_of(f["union"], publish=False, slug="afterwork")
    share(from_union, Share.Mode.CHOSEN, associations=[f["b"], f["c"]])  # Lyon is not its member
    from_union.save_revision().publish()
    assert offered(from_union) == {"rennes"}


@pytest.mark.parametrize(
    ("sectors", "expected"),
    [(["energie"], {"nantes", "lyon"}), (["numerique"], {"rennes", "lyon"})],
)
def test_sharing_by_sector(federation, sectors, expected):
    page = item_of(federation["federation"], publish=False)
    share(page, Share.Mode.SECTORS, sectors=Sector.objects.filter(slug__in=sectors))
    page.save_revision().publish()
    assert offered(page) == expected


def test_an_association_shares_with_nobody(federation):
    page = item_of(federation["a"])
    shared = share(page)
    assert targets(shared, federation["a"]) == []


def test_the_share_page_of_a_live_item_offers_at_once(federation, client, admin_user):
    page = item_of(federation["federation"])
    client.force_login(admin_user)
    url = f"/admin/pool/share/{page.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "Alumni Nantes" in response.content.decode()
    response = client.post(url, {"mode": "chosen"})  # nobody chosen: says what to do
    assert "Cochez au moins une association" in response.content.decode()
    assert not Share.objects.exists()
    client.post(url, {"mode": "chosen", "associations": [federation["b"].pk]})
    assert offered(page) == {"rennes"}
    # an association's item has no Partage page
    own = item_of(federation["a"], slug="gala")
    assert client.get(f"/admin/pool/share/{own.pk}/").status_code == 404


def test_sectors_are_kept_by_the_federation_administrators_only(
    federation, client, django_user_model
):
    from tests.pool.conftest import editor_of

    a = federation["a"]
    admin_of_a = editor_of(a, "admin-nantes", django_user_model)
    admin_of_a.groups.add(a.administrators)
    client.force_login(admin_of_a)
    add = "/admin/snippets/federation/sector/add/"
    assert client.get(add).status_code in (302, 403)
    response = client.post(add, {"name": "Santé", "slug": "sante"})
    assert not Sector.objects.filter(slug="sante").exists(), response.status_code

    fed_admin = django_user_model.objects.create_user("fede", "f@example.org", "pw")
    fed = federation["federation"]
    fed.administrators = a.administrators.__class__.objects.create(name="Fédération admins")
    fed.save()
    fed_admin.groups.add(fed.administrators, a.editors)  # the admin's access comes with a group
    client.force_login(fed_admin)
    assert client.get(add).status_code == 200
    client.post(add, {"name": "Santé", "slug": "sante"})
    assert Sector.objects.filter(slug="sante").exists()
