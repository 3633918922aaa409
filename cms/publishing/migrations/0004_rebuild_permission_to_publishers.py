"""Give "Peut reconstruire tout le site" to the groups that may publish pages (Wagtail's
Moderators, whatever they are called now): a full rebuild is a publisher's decision, not an
editor's. Superusers have every permission."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are made after migrations: make this app's now, to give them.
    app_config = apps.get_app_config("publishing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    rebuild = Permission.objects.get(content_type__app_label="publishing", codename="rebuild_site")
    publishers = GroupPagePermission.objects.filter(
        permission__codename="publish_page"
    ).values_list("group_id", flat=True)
    for group in Group.objects.filter(pk__in=publishers):
        group.permissions.add(rebuild)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="publishing", codename="rebuild_site").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0003_workers_clock_recovery_rebuild_permission"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
