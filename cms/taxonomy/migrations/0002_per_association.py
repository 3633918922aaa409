"""Class years, groups and contributors become each association's own: every existing one goes
to the installation's default site (its first association, which had them all), and a year, a
group's name or its identifier is unique within a site instead of across the installation."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import cms.federation.models

MODELS = ("classyear", "group", "contributor")


def to_the_first_association(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    for name in MODELS:
        model = apps.get_model("taxonomy", name)
        rows = model.objects.filter(site__isnull=True)
        if not rows.exists():
            continue
        if site is None:
            raise RuntimeError(
                "Class years, groups and contributors must go to an association, and this "
                "installation has no site: create the site in Paramètres → Sites (or run "
                "`manage.py migrate wagtailcore` first), then migrate again."
            )
        rows.update(site=site)


def site_field(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        default=cms.federation.models.default_site_id,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="wagtailcore.site",
        verbose_name="site",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=name, name="site", field=site_field(null=True))
            for name in MODELS
        ),
        migrations.RunPython(to_the_first_association, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=name, name="site", field=site_field(null=False))
            for name in MODELS
        ),
        migrations.AlterField(
            model_name="classyear",
            name="year",
            field=models.PositiveSmallIntegerField(
                help_text="Année de sortie de la promotion, par exemple 2012.",
                validators=[
                    django.core.validators.MinValueValidator(1794),
                    django.core.validators.MaxValueValidator(2100),
                ],
                verbose_name="année",
            ),
        ),
        migrations.AlterField(
            model_name="group",
            name="name",
            field=models.CharField(max_length=120, verbose_name="nom"),
        ),
        migrations.AlterField(
            model_name="group",
            name="slug",
            field=models.SlugField(blank=True, max_length=120, verbose_name="identifiant"),
        ),
        migrations.AddConstraint(
            model_name="classyear",
            constraint=models.UniqueConstraint(
                fields=("site", "year"), name="taxonomy_class_year_per_site"
            ),
        ),
        migrations.AddConstraint(
            model_name="group",
            constraint=models.UniqueConstraint(
                fields=("site", "name"), name="taxonomy_group_name_per_site"
            ),
        ),
        migrations.AddConstraint(
            model_name="group",
            constraint=models.UniqueConstraint(
                fields=("site", "slug"), name="taxonomy_group_slug_per_site"
            ),
        ),
    ]
