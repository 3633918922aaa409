"""Every site of an installation that was made before the federation becomes an association.

The default site is the installation's first association: it keeps ``content/`` and
``site/output`` (an empty folder) and ``RELAIS_SITE_URL``, so that nothing moves; the groups
Wagtail made (moderators, editors, by whatever name they have now) become its groups. Any
other site gets its own folder, named after it.
"""

from django.db import migrations
from django.utils.text import slugify

RESERVED = {
    "actualites", "parcours", "vie-ecole", "evenements", "association",
    "pages", "media", "theme", "feeds", "tags", "builds", "cache",
}


def forwards(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Association = apps.get_model("federation", "Association")
    Group = apps.get_model("auth", "Group")
    taken = set(Association.objects.values_list("slug", flat=True))
    for site in Site.objects.order_by("-is_default_site", "pk"):
        if Association.objects.filter(site=site).exists():
            continue
        base = slugify(site.site_name or site.hostname)[:50] or "association"
        if base in RESERVED:
            base = f"{base}-site"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        first = site.is_default_site and not Association.objects.filter(folder="").exists()
        association = Association.objects.create(
            site=site, slug=slug, folder="" if first else slug, kind="association"
        )
        if first:
            for field, names in (
                ("moderators", ("Modérateurs", "Moderators")),
                ("editors", ("Rédacteurs", "Editors")),
            ):
                group = Group.objects.filter(name__in=names).first()
                if group is not None:
                    setattr(association, field, group)
            association.save()


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("core", "0004_wagtail_seeds_in_french"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
