"""Fixtures of the pool tests: a federation with a regional union, associations below them
(each a site with its home page and its own section indexes), editors per association, and
the fake networks of the syndication tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Site

from cms.content.models import HomePage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.federation.models import Association, Sector
from cms.publishing import export
from relais.sections import SECTIONS
from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401
from tests.social.conftest import fakes, providers, social_settings  # noqa: F401


def make_association(
    name: str,
    slug: str,
    kind: str = Association.Kind.ASSOCIATION,
    parent: Association | None = None,
    sectors: tuple[Sector, ...] = (),
) -> Association:
    """A site of its own (home page, the five section indexes, its settings) and its
    association, with its groups of administrators and editors."""
    from wagtail.models import Page

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title=name, slug=slug))
    site = Site.objects.create(
        hostname=f"{slug}.localhost", port=80, root_page=home, site_name=name
    )
    for key, section in SECTIONS.items():
        home.add_child(instance=SectionIndexPage(title=section.label_fr, slug=key, section=key))
    association = Association.for_site(site)
    association.kind, association.parent = kind, parent
    association.slug = association.folder = slug
    association.editors = editors_group(name, home)
    association.administrators = Group.objects.create(name=f"{name} administrateurs")
    association.save()
    association.sectors.set(sectors)
    config = AssociationSettings.for_site(site)
    config.name = name
    config.save()
    export.export_site_config(site)
    return association


def editors_group(name: str, home: Any, publish: bool = True) -> Group:
    group = Group.objects.create(name=f"{name} rédaction")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", *(("publish_page",) if publish else ())):
        GroupPagePermission.objects.create(
            group=group, page=home, permission=Permission.objects.get(codename=codename)
        )
    return group


def editor_of(association: Association, username: str, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(association.editors)
    return user


@pytest.fixture
def federation(site_tree, admin_user) -> dict[str, Any]:  # noqa: F811
    """IESF-like: the installation's first site is the federation; a regional union under it
    with two associations, and one association directly under the federation."""
    energy = Sector.objects.create(name="Énergie", slug="energie")
    digital = Sector.objects.create(name="Numérique", slug="numerique")
    fed = Association.for_site(site_tree["site"])
    fed.kind = Association.Kind.FEDERATION
    fed.save()
    export.export_site_config(site_tree["site"])
    union = make_association("Union Ouest", "union-ouest", Association.Kind.UNION, fed)
    a = make_association("Alumni Nantes", "nantes", parent=union, sectors=(energy,))
    b = make_association("Alumni Rennes", "rennes", parent=union, sectors=(digital,))
    c = make_association("Alumni Lyon", "lyon", parent=fed, sectors=(energy, digital))
    return {
        "tree": site_tree,
        "federation": fed,
        "union": union,
        "a": a,
        "b": b,
        "c": c,
        "energy": energy,
        "digital": digital,
    }
