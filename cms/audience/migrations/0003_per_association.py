"""Page views are counted per association: every row counted so far is the default site's (the
installation's first association, whose site they were), and an access log may be read once
for each association."""

import django.db.models.deletion
from django.db import migrations, models


def to_the_first_association(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    for name in ("PageViewCount", "LogIngestion"):
        rows = apps.get_model("audience", name).objects.filter(site__isnull=True)
        if not rows.exists():
            continue
        if site is None:
            raise RuntimeError(
                "Page views must go to an association, and this installation has no site: "
                "create the site in Paramètres → Sites, then migrate again."
            )
        rows.update(site=site)


def site_field(null: bool, help_text: str) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        help_text=help_text,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="wagtailcore.site",
        verbose_name="site",
    )


VIEWS_HELP = "L'association dont le site a été vu."
LOG_HELP = "L'association dont le journal compte les visites."


class Migration(migrations.Migration):
    dependencies = [
        ("audience", "0002_pageviewcount_source"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="pageviewcount", name="audience_one_count_per_key"
        ),
        migrations.AddField("pageviewcount", "site", site_field(True, VIEWS_HELP)),
        migrations.AddField("logingestion", "site", site_field(True, LOG_HELP)),
        migrations.RunPython(to_the_first_association, migrations.RunPython.noop),
        migrations.AlterField("pageviewcount", "site", site_field(False, VIEWS_HELP)),
        migrations.AlterField("logingestion", "site", site_field(False, LOG_HELP)),
        migrations.AlterField(
            model_name="logingestion",
            name="first_line_sha256",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="pageviewcount",
            constraint=models.UniqueConstraint(
                fields=(
                    "site",
                    "day",
                    "path",
                    "network",
                    "source",
                    "medium",
                    "campaign",
                    "channel",
                ),
                name="audience_one_count_per_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="logingestion",
            constraint=models.UniqueConstraint(
                fields=("site", "first_line_sha256"), name="audience_one_ingestion_per_log"
            ),
        ),
    ]
