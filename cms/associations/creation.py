"""Creating an association: one call makes everything it needs to work on its own.

:func:`create_association` makes, in one transaction:

1. its **site** (Wagtail ``Site``, at the address its sign-up page is served at) with a home
   page, one index per section, a sign-up page and a privacy page, all published;
2. its **association** row (kind, parent union or federation, folder, public address of its
   static site, sectors);
3. its **collection** of images and documents (under Wagtail's root collection);
4. its **groups** — administrators, editors, moderators — with their rights on its pages, its
   collection and its own data (network accounts, sign-ups, statistics, rebuilds, settings),
   and nothing on any other association's;
5. its **settings** (name, sign-up page, contact address), which export its ``site.yaml``: its
   static site is built by the worker as soon as the transaction commits.

The same function serves ``manage.py create_association`` and the admin's "Nouvelle
association" screen.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
)

from cms.content.models import HomePage, InfoPage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.core.sites import cms_address
from cms.federation.models import RESERVED_FOLDERS, Association, Sector
from cms.members.models import SignUpPage
from cms.publishing.signal_handlers import suspended
from cms.publishing.tasks import export_page_task
from relais.sections import SECTIONS

ADMIN_ACCESS = ("wagtailadmin", "access_admin")
#: What each group of an association may do beside its pages and collection.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    "administrators": [
        ADMIN_ACCESS,
        ("social", "add_socialaccount"),
        ("social", "change_socialaccount"),
        ("social", "delete_socialaccount"),
        ("social", "view_socialaccount"),
        ("members", "view_signup"),
        ("members", "change_signup"),
        ("members", "delete_signup"),
        ("stats", "view_statistics"),
        ("publishing", "rebuild_site"),
        ("core", "change_associationsettings"),
    ],
    "editors": [ADMIN_ACCESS],
    "moderators": [ADMIN_ACCESS, ("stats", "view_statistics")],
}
PAGE_PERMISSIONS = {
    "administrators": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    "editors": ["add_page", "change_page"],
    "moderators": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
COLLECTION_PERMISSIONS = ["add", "change", "choose", "delete"]
ROLE_NAMES = {
    "administrators": "administrateurs",
    "editors": "rédacteurs",
    "moderators": "modérateurs",
}


class CreationError(ValueError):
    """The association cannot be made as asked; the message says what to change."""


@dataclass
class NewAssociation:
    name: str
    slug: str = ""
    kind: str = Association.Kind.ASSOCIATION
    parent: Association | None = None
    site_url: str = ""  # public address of its static site ("": RELAIS_SITE_URL/<slug>)
    hostname: str = ""  # where the CMS serves its sign-up page ("": <slug>.<CMS host>)
    port: int | None = None
    contact_email: str = ""
    sectors: Iterable[Sector] = field(default_factory=list)


def create_association(spec: NewAssociation) -> Association:
    """Make an association with everything it needs (see the module's docstring)."""
    name = spec.name.strip()
    if not name:
        raise CreationError("Give the association a name.")
    slug = spec.slug or slugify(name)[:60]
    if not slug or slug in RESERVED_FOLDERS:
        raise CreationError(
            f"{slug!r} cannot name an association's folders: choose another identifier."
        )
    if Association.objects.filter(slug=slug).exists():
        raise CreationError(f"An association is already called {slug!r}: choose another one.")
    cms = cms_address()
    hostname = spec.hostname or default_hostname(slug, cms.hostname)
    port = spec.port or cms.port
    if Site.objects.filter(hostname=hostname, port=port).exists():
        raise CreationError(f"A site already answers at {hostname}:{port}: give another address.")
    with transaction.atomic(), suspended():
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title=name, slug=slug))
        home.save_revision().publish()
        site = Site.objects.create(
            hostname=hostname, port=port, root_page=home, site_name=name, is_default_site=False
        )
        association = Association.for_site(site)
        association.slug, association.folder = slug, slug
        association.kind, association.parent = spec.kind, spec.parent
        association.site_url = spec.site_url
        association.save()
        association.sectors.set(list(spec.sectors))
        for key, section in SECTIONS.items():
            index = home.add_child(
                instance=SectionIndexPage(
                    title=section.label_fr, slug=key, section=key, intro=section.description_fr
                )
            )
            index.save_revision().publish()
        privacy = home.add_child(
            instance=InfoPage(title="Données personnelles", slug="donnees-personnelles")
        )
        privacy.save_revision().publish()
        signup = home.add_child(
            instance=SignUpPage(
                title="Adhérer",
                slug="adherer",
                privacy_page=privacy,
                to_address=spec.contact_email,
                from_address=spec.contact_email,
                subject=f"Nouvelle demande d'adhésion — {name}",
            )
        )
        signup.save_revision().publish()
        collection = Collection.get_first_root_node().add_child(name=name)
        association.collection = collection
        _groups(association, home, collection)
        config = AssociationSettings.for_site(site)
        config.name, config.signup_page = name, signup
        config.contact_email = spec.contact_email
    # outside suspended(): saving the settings exports site.yaml, the pages follow
    config.save()
    transaction.on_commit(lambda: _export_pages(site))
    return association


def default_hostname(slug: str, cms_host: str) -> str:
    """Where the CMS serves an association's pages by default: a sub-domain of the CMS's host,
    or of ``localhost`` when the CMS answers at an address or at ``localhost`` itself (browsers
    send every ``*.localhost`` to this machine)."""
    try:
        ipaddress.ip_address(cms_host)
    except ValueError:
        if cms_host != "localhost":
            return f"{slug}.{cms_host}"
    return f"{slug}.localhost"


def _groups(association: Association, home: Page, collection: Collection) -> None:
    for role, label in ROLE_NAMES.items():
        group = Group.objects.create(name=f"{association.site.site_name} — {label}")
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in ROLE_PERMISSIONS[role]
            ]
        )
        for codename in PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.create(
                group=group,
                page=home,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        for model in ("image", "document"):
            app = "wagtailimages" if model == "image" else "wagtaildocs"
            for action in COLLECTION_PERMISSIONS:
                GroupCollectionPermission.objects.create(
                    group=group,
                    collection=collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app, codename=f"{action}_{model}"
                    ),
                )
        setattr(association, role, group)
    association.save()


def _export_pages(site: Site) -> None:
    """The new site's published pages go to its content folder (they were published while
    exports were suspended, so that the settings went first)."""
    for page_id in (
        InfoPage.objects.descendant_of(site.root_page).live().values_list("pk", flat=True)
    ):
        export_page_task.enqueue(page_id)
