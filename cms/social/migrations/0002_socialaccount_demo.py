"""Demo accounts are marked as such (``SocialAccount.demo``). The demo loaded before this
version named its accounts "… (démo)" and kept the addresses its fake servers made up for their
profiles and posts, which point at real networks (someone else's post, or nothing): those
accounts are marked and the made-up addresses forgotten."""

from django.db import migrations, models

DEMO_SUFFIX = " (démo)"


def mark_demo_accounts(apps, schema_editor):
    SocialAccount = apps.get_model("social", "SocialAccount")
    Delivery = apps.get_model("social", "Delivery")
    demo = SocialAccount.objects.filter(display_name__endswith=DEMO_SUFFIX, active=False)
    Delivery.objects.filter(account__in=demo).update(remote_url="")
    demo.update(demo=True, profile_url="")


class Migration(migrations.Migration):

    dependencies = [
        ("social", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="socialaccount",
            name="demo",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="compte de démonstration"
            ),
        ),
        migrations.RunPython(mark_demo_accounts, migrations.RunPython.noop),
    ]
