"""Each association's people and where they may work: its three groups, its own collection of
images and documents, and their rights on its own home page and collection only.

:func:`provision` gives an association what it lacks (it is safe to run again):

- **groups** "administrateurs", "rédacteurs" and "modérateurs" of the association, with the
  rights of their role (:data:`ROLE_PERMISSIONS`): editors write items and keep the class years,
  groups and contributors; moderators also publish and rebuild the site; administrators manage
  the network accounts, the association's settings, its sign-ups and statistics (each view
  also checks that the site is theirs, :mod:`cms.federation.scope`);
- **its collection** under the root collection (the one its groups already have rights on,
  when whatever made the association gave it one), where its images and documents go, with
  the rights of its groups on it (:data:`COLLECTION_PERMISSIONS`);
- **page rights** on its home page (:data:`PAGE_PERMISSIONS`), and a moderation workflow
  whose approvers are its own moderators;
- **confinement**: rights its groups hold on the root page or the root collection (Wagtail
  gives its first groups rights on the whole tree) move to its own home page and collection,
  so that the people of one association never reach another's pages and pictures.

An installation with a single association is left as it is; when a second site is made
(Paramètres → Sites, or a command), every association is provisioned once the site is saved
for good, and at every ``migrate`` (:mod:`cms.federation.signal_handlers`). What an
association already has is kept: its groups, its collection, the rights they hold.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import Association

ADMINISTRATORS, EDITORS, MODERATORS = "administrators", "editors", "moderators"

_TAXONOMY = [
    f"taxonomy.{action}_{model}"
    for model in ("classyear", "group", "contributor")
    for action in ("add", "change", "delete", "view")
]

#: Discussions and thank-yous (:mod:`cms.discuss`): drafted by everyone, sent by whoever may
#: publish the association's pages.
_DISCUSS = [f"discuss.{action}_discussion" for action in ("add", "change", "delete", "view")]

#: Global rights of each role (``app_label.codename``).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: ["wagtailadmin.access_admin", *_TAXONOMY, *_DISCUSS],
    MODERATORS: ["wagtailadmin.access_admin", *_TAXONOMY, *_DISCUSS, "publishing.rebuild_site"],
    ADMINISTRATORS: [
        "wagtailadmin.access_admin",
        *_DISCUSS,
        "core.change_associationsettings",
        "social.change_socialaccount",
        "members.view_signup",
        "members.change_signup",
        "members.delete_signup",
        "stats.view_statistics",
        "publishing.rebuild_site",
        "ambassadors.add_ambassador",
        "ambassadors.change_ambassador",
        "ambassadors.delete_ambassador",
        "ambassadors.view_ambassador",
    ],
}

#: Rights of each role on the association's home page and everything under it.
PAGE_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: ["add_page", "change_page"],
    MODERATORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    ADMINISTRATORS: [],
}

_PICTURES = ["add_image", "change_image", "choose_image"]
_DOCUMENTS = ["add_document", "change_document", "choose_document"]
#: Rights of each role on the association's collection (images and documents).
COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: [*_PICTURES, *_DOCUMENTS],
    MODERATORS: [*_PICTURES, "delete_image", *_DOCUMENTS, "delete_document"],
    ADMINISTRATORS: [*_PICTURES, *_DOCUMENTS],
}

ROLE_NAMES = {
    ADMINISTRATORS: "administrateurs",
    EDITORS: "rédacteurs",
    MODERATORS: "modérateurs",
}


def permission(name: str) -> Permission:
    app_label, codename = name.split(".", 1) if "." in name else ("", name)
    found = Permission.objects.filter(codename=codename)
    if app_label:
        found = found.filter(content_type__app_label=app_label)
    permission = found.first()
    if permission is None:
        raise LookupError(
            f"The permission {name} does not exist yet: run `manage.py migrate` first."
        )
    return permission


def _page_permission(codename: str) -> Permission:
    return permission(f"wagtailcore.{codename}")


def _collection_permission(codename: str) -> Permission:
    app_label = "wagtailimages" if codename.endswith("_image") else "wagtaildocs"
    return permission(f"{app_label}.{codename}")


@transaction.atomic
def provision(association: Association) -> Association:
    """Give ``association`` its groups, collection, rights and workflow (what it lacks)."""
    site = association.site
    name = site.site_name or association.slug
    home = site.root_page
    collection = association.collection or own_collection(association)
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=name)
    association.collection = collection
    for role, label in ROLE_NAMES.items():
        group = getattr(association, role)
        if group is None:
            group, _created = Group.objects.get_or_create(name=f"{name} · {label}")
            setattr(association, role, group)
        group.permissions.add(*(permission(p) for p in ROLE_PERMISSIONS[role]))
        for codename in PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=home, permission=_page_permission(codename)
            )
        for codename in COLLECTION_PERMISSIONS[role]:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=_collection_permission(codename)
            )
    association.save()
    confine(association)
    _workflow(association, name)
    return association


def own_collection(association: Association) -> Collection | None:
    """The collection the association's groups were given rights on (by whatever made it),
    other than the root collection: the one it keeps."""
    root = Collection.get_first_root_node()
    for group in association.groups:
        grant = (
            GroupCollectionPermission.objects.filter(group=group)
            .exclude(collection=root)
            .order_by("collection__path")
            .first()
        )
        if grant is not None:
            return grant.collection
    return None


def confine(association: Association) -> None:
    """Move the rights the association's groups hold above its home page (or on the root
    collection) to its home page (and its own collection)."""
    home = association.site.root_page
    groups = association.groups
    above = Page.objects.filter(pk__in=[p.pk for p in home.get_ancestors()])
    for grant in GroupPagePermission.objects.filter(group__in=groups, page__in=above):
        GroupPagePermission.objects.get_or_create(
            group=grant.group, page=home, permission=grant.permission
        )
        grant.delete()
    if association.collection is None:
        return
    root = Collection.get_first_root_node()
    for grant in GroupCollectionPermission.objects.filter(group__in=groups, collection=root):
        GroupCollectionPermission.objects.get_or_create(
            group=grant.group, collection=association.collection, permission=grant.permission
        )
        grant.delete()


def _workflow(association: Association, name: str) -> None:
    """A moderation workflow on the association's home page, approved by its moderators (the
    installation's workflow, on the root page, is approved by the first association's)."""
    home = association.site.root_page
    if association.moderators is None or WorkflowPage.objects.filter(page=home).exists():
        return
    workflow = Workflow.objects.create(name=_("Validation — %(name)s") % {"name": name})
    task = GroupApprovalTask.objects.create(
        name=_("Validation par les modérateurs — %(name)s") % {"name": name}
    )
    task.groups.set([association.moderators])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=home)


def provision_federation() -> None:
    """Provision every association, once the installation has more than one."""
    if Association.objects.count() < 2:
        return
    for association in Association.objects.select_related("site__root_page"):
        provision(association)


def provision_new(site_id: int) -> None:
    """Provision the association of a new site, and those not provisioned yet (the first
    association, alone until now, when the second arrives): the others keep what they have,
    so that making the 180th association costs what making the second did."""
    count = Association.objects.count()
    if count < 2:
        return
    if count == 2:  # the first association leaves its single-association ways: all of it
        provision_federation()
        return
    unprovisioned = (
        Q(site_id=site_id)
        | Q(collection__isnull=True)
        | Q(administrators__isnull=True)
        | Q(editors__isnull=True)
        | Q(moderators__isnull=True)
    )
    for association in Association.objects.filter(unprovisioned).select_related("site__root_page"):
        provision(association)
