"""The publishing state, changes, exports and builds belong to a site (an association)."""

import django.db.models.deletion
from django.db import migrations, models


def to_sites(apps, schema_editor):
    """What existed before belongs to the default site (the installation's first association),
    the exports to the site their page is under."""
    Site = apps.get_model("wagtailcore", "Site")
    Page = apps.get_model("wagtailcore", "Page")
    SiteState = apps.get_model("publishing", "SiteState")
    ContentChange = apps.get_model("publishing", "ContentChange")
    ExportRecord = apps.get_model("publishing", "ExportRecord")
    BuildRecord = apps.get_model("publishing", "BuildRecord")
    default = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if default is None:
        SiteState.objects.all().delete()
        return
    SiteState.objects.exclude(pk=1).delete()
    SiteState.objects.filter(pk=1).update(site=default)
    ContentChange.objects.update(site=default)
    BuildRecord.objects.update(site=default)
    roots = [(s.pk, s.root_page.path) for s in Site.objects.select_related("root_page")]
    for record in ExportRecord.objects.all():
        page = Page.objects.filter(pk=record.page_id).only("path").first()
        site_id = default.pk
        if page is not None:
            site_id = next(
                (pk for pk, path in sorted(roots, key=lambda r: -len(r[1]))
                 if page.path.startswith(path)),
                default.pk,
            )
        ExportRecord.objects.filter(pk=record.pk).update(site_id=site_id)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0005_exportrecord_publish_requested_at"),
        ("wagtailcore", "0002_initial_data"),
        ("federation", "0002_first_association"),
    ]

    operations = [
        migrations.AddField(
            model_name="sitestate",
            name="site",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="publishing_state",
                to="wagtailcore.site",
            ),
        ),
        migrations.AddField(
            model_name="contentchange",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="wagtailcore.site",
            ),
        ),
        migrations.AddField(
            model_name="exportrecord",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="wagtailcore.site",
                verbose_name="site",
            ),
        ),
        migrations.AddField(
            model_name="buildrecord",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="wagtailcore.site",
                verbose_name="site",
            ),
        ),
        migrations.RunPython(to_sites, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sitestate",
            name="site",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="publishing_state",
                to="wagtailcore.site",
            ),
        ),
    ]
