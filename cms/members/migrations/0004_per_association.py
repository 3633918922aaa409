"""Sign-ups become their association's: each goes to the site of its sign-up page (the default
site when it has none), and the monthly tally of deletions is kept per association."""

import django.db.models.deletion
from django.db import migrations, models


def default_site(Site):
    return Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()


def to_their_sites(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Signup = apps.get_model("members", "Signup")
    ErasureTally = apps.get_model("members", "ErasureTally")
    for site in Site.objects.select_related("root_page").order_by("pk"):
        Signup.objects.filter(
            site__isnull=True, page__path__startswith=site.root_page.path
        ).update(site=site)
    fallback = default_site(Site)
    for model in (Signup, ErasureTally):
        rows = model.objects.filter(site__isnull=True)
        if not rows.exists():
            continue
        if fallback is None:
            raise RuntimeError(
                "Sign-ups must go to an association, and this installation has no site: create "
                "the site in Paramètres → Sites, then migrate again."
            )
        rows.update(site=fallback)


def site_field(null: bool, help_text: str = "") -> models.ForeignKey:
    extra = {"editable": False, "help_text": help_text} if help_text else {}
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="wagtailcore.site",
        verbose_name="site",
        **extra,
    )


SIGNUP_HELP = "L'association qui l'a reçue : celle de la page d'adhésion."


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_drop_demo_fields_now_built_in"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField("signup", "site", site_field(True, SIGNUP_HELP)),
        migrations.AddField("erasuretally", "site", site_field(True)),
        migrations.RunPython(to_their_sites, migrations.RunPython.noop),
        migrations.AlterField("signup", "site", site_field(False, SIGNUP_HELP)),
        migrations.AlterField("erasuretally", "site", site_field(False)),
        migrations.AlterField(
            model_name="erasuretally",
            name="month",
            field=models.DateField(verbose_name="mois"),
        ),
        migrations.AddConstraint(
            model_name="erasuretally",
            constraint=models.UniqueConstraint(
                fields=("site", "month"), name="members_one_tally_per_month"
            ),
        ),
    ]
