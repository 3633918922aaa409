"""Wagtail's first migrations create a few rows with English names that the French admin then
shows as they are ("Soumettre à Moderators approval", the "Moderators" and "Editors" groups, the
"Root" of pages and collections): rename them, on new and existing installations alike. Only rows
that still bear Wagtail's name are touched: a name someone chose is kept."""

from django.db import migrations

# (model, field, Wagtail's name, the French name); cms/core/wagtail_names.py holds the same
# French names for the code.
RENAMES = [
    ("auth.Group", "name", "Moderators", "Modérateurs"),
    ("auth.Group", "name", "Editors", "Rédacteurs"),
    ("wagtailcore.Workflow", "name", "Moderators approval", "validation par les modérateurs"),
    ("wagtailcore.Task", "name", "Moderators approval", "validation par les modérateurs"),
    ("wagtailcore.Collection", "name", "Root", "Racine"),
]
ROOT_PAGE = ("Root", "Racine")
WELCOME_PAGE = ("Welcome to your new Wagtail site!", "Bienvenue sur votre nouveau site Wagtail !")


def _rename(apps, forward: bool) -> None:
    for label, field, english, french in RENAMES:
        old, new = (english, french) if forward else (french, english)
        model = apps.get_model(label)
        if not model.objects.filter(**{field: new}).exists():  # names may be unique
            model.objects.filter(**{field: old}).update(**{field: new})
    Page = apps.get_model("wagtailcore", "Page")
    for depth, (english, french) in ((1, ROOT_PAGE), (2, WELCOME_PAGE)):
        old, new = (english, french) if forward else (french, english)
        Page.objects.filter(depth=depth, title=old).update(title=new)
        Page.objects.filter(depth=depth, draft_title=old).update(draft_title=new)


def to_french(apps, schema_editor):
    _rename(apps, forward=True)


def to_english(apps, schema_editor):
    _rename(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_addresses_as_the_site_accepts_them"),
        # the migrations that create these rows, or find the groups by their English names
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0002_initial_data"),
        ("wagtaildocs", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(to_french, to_english)]
