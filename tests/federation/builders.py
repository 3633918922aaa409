"""Associations side by side on one installation: a site each, with its home page, its
sections, its sign-up page and its settings (what a new association starts with)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from wagtail.models import Page, Site

from cms.content.models import HomePage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.federation.models import Association
from cms.federation.roles import provision_federation
from cms.members.models import SignUpPage
from relais.sections import SECTIONS
from tests.cms.factories import root_page


def association_site(
    name: str,
    hostname: str,
    *,
    default: bool = False,
    kind: str = Association.Kind.ASSOCIATION,
    home_title: str = "",
) -> dict[str, Any]:
    """A new site named ``name`` at ``hostname`` and its association, with a home page, one
    index per section and a sign-up page: ``{"site", "association", "home", "indexes",
    "signup"}`` (the ``tree`` that ``tests.cms.factories.make_item`` takes)."""
    root: Page = root_page()
    slug = hostname.split(".")[0]
    home = root.add_child(instance=HomePage(title=home_title or name, slug=slug))
    site = Site.objects.create(
        hostname=hostname, port=80, root_page=home, is_default_site=default, site_name=name
    )
    association = Association.for_site(site)
    if association.kind != kind:
        association.kind = kind
        association.save()
    indexes = {
        key: home.add_child(instance=SectionIndexPage(title=s.label_fr, slug=key, section=key))
        for key, s in SECTIONS.items()
    }
    signup = home.add_child(instance=SignUpPage(title="Adhérer", slug="adherer"))
    config = AssociationSettings.for_site(site)
    config.name, config.signup_page = name, signup
    config.save()
    provision_federation()  # as when the new site's transaction commits
    association.refresh_from_db()
    return {
        "site": site,
        "association": association,
        "home": home,
        "indexes": indexes,
        "signup": signup,
    }


def member_of(association: Association, *roles: str, username: str) -> Any:
    """A user in the groups of ``association`` named by ``roles`` ("administrators",
    "editors", "moderators")."""
    association.refresh_from_db()
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    for role in roles:
        group = getattr(association, role)
        assert group is not None, f"{association} has no {role} group: provision it first"
        user.groups.add(group)
    return user
