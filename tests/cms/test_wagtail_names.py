"""What Wagtail creates in English on a new installation reads in French in the admin: the
default workflow and its task ("Soumettre à …"), the user groups, the roots of the page tree and
of the collections — on a new installation (the migrations) and on an existing one (the rename
of the rows that still bear Wagtail's names, and of those only)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.auth.models import Group
from wagtail.models import Collection, Page, Task, Workflow

from cms.core import wagtail_names
from tests.cms.factories import make_item

rename = importlib.import_module("cms.core.migrations.0004_wagtail_seeds_in_french")


def test_a_new_installation_names_wagtails_rows_in_french(db):
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(
        [wagtail_names.MODERATORS, wagtail_names.EDITORS]
    )
    assert list(Workflow.objects.values_list("name", flat=True)) == [wagtail_names.MODERATION]
    assert list(Task.objects.values_list("name", flat=True)) == [wagtail_names.MODERATION]
    assert Collection.get_first_root_node().name == wagtail_names.ROOT
    root = Page.get_first_root_node()
    assert (root.title, root.draft_title) == (wagtail_names.ROOT, wagtail_names.ROOT)


def test_an_existing_installation_is_renamed_and_names_chosen_by_people_are_kept(db):
    rename.to_english(apps, None)  # as an installation made before the rename
    assert Workflow.objects.filter(name="Moderators approval").exists()
    Group.objects.create(name="Trésorerie")
    Workflow.objects.create(name="Relecture du bureau")
    rename.to_french(apps, None)
    assert set(Group.objects.values_list("name", flat=True)) == {
        wagtail_names.MODERATORS,
        wagtail_names.EDITORS,
        "Trésorerie",
    }
    assert set(Workflow.objects.values_list("name", flat=True)) == {
        wagtail_names.MODERATION,
        "Relecture du bureau",
    }
    assert Page.get_first_root_node().title == wagtail_names.ROOT


def test_the_editor_offers_to_submit_in_french(site_tree, client, django_user_model):
    editor = django_user_model.objects.create_user("redactrice", password="pw")
    editor.groups.add(Group.objects.get(name=wagtail_names.EDITORS))
    item = make_item(site_tree, publish=False)
    client.force_login(editor)
    response = client.get(f"/admin/pages/{item.pk}/edit/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Soumettre à {wagtail_names.MODERATION}" in text
    assert "Moderators" not in text
