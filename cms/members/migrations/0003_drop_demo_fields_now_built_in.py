"""The demo loader used to create the sign-up page's fields as form-builder questions. Those
fields are now built into every sign-up page: drop the old copies so that they are not asked
twice. Only questions with exactly these labels and types are removed."""

from django.db import migrations

OLD_DEMO_FIELDS = [
    ("Nom et prénom", "singleline"),
    ("E-mail", "email"),
    ("Promotion", "number"),
    ("Je souhaite", "checkboxes"),
    ("J'accepte que l'association conserve ces informations pour traiter ma demande",
     "checkbox"),
]


def drop_builtin_copies(apps, schema_editor):
    SignUpFormField = apps.get_model("members", "SignUpFormField")
    for label, field_type in OLD_DEMO_FIELDS:
        SignUpFormField.objects.filter(label=label, field_type=field_type).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0002_signups_consent_attribution")]

    operations = [migrations.RunPython(drop_builtin_copies, migrations.RunPython.noop)]
