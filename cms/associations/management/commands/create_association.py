"""``manage.py create_association "ENILC Alumni" [--slug enilc] [--kind association]
[--parent federation-slug] [--site-url https://…] [--hostname cms-host] [--sectors a,b]
[--contact e-mail]``: an association with its site, pages, collection, groups and settings."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from cms.associations.creation import CreationError, NewAssociation, create_association
from cms.federation.models import Association, Sector


class Command(BaseCommand):
    help = "Create an association: its site, pages, collection, groups and settings."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--slug", default="")
        parser.add_argument(
            "--kind", default=Association.Kind.ASSOCIATION, choices=Association.Kind.values
        )
        parser.add_argument("--parent", default="", help="the union's or federation's slug")
        parser.add_argument("--site-url", default="", help="public address of its static site")
        parser.add_argument("--hostname", default="", help="host of its pages on the CMS")
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument("--sectors", default="", help="sector slugs, separated by commas")
        parser.add_argument("--contact", default="", help="the association's contact e-mail")

    def handle(self, *args, **options):
        started = time.perf_counter()
        parent = None
        if options["parent"]:
            parent = Association.objects.filter(slug=options["parent"]).first()
            if parent is None:
                raise CommandError(f"No association {options['parent']!r} to attach it to.")
        wanted = [s for s in options["sectors"].split(",") if s.strip()]
        sectors = list(Sector.objects.filter(slug__in=wanted))
        missing = sorted(set(wanted) - {s.slug for s in sectors})
        if missing:
            raise CommandError(f"Unknown sector(s): {', '.join(missing)}.")
        try:
            association = create_association(
                NewAssociation(
                    name=options["name"],
                    slug=options["slug"],
                    kind=options["kind"],
                    parent=parent,
                    site_url=options["site_url"],
                    hostname=options["hostname"],
                    port=options["port"],
                    contact_email=options["contact"],
                    sectors=sectors,
                )
            )
        except CreationError as exc:
            raise CommandError(str(exc)) from exc
        site = association.site
        self.stdout.write(
            f"{association} created in {time.perf_counter() - started:.1f} s: "
            f"pages at {site.root_url}/, static site at {association.public_url}/ "
            f"(folder content/{association.folder}/), groups "
            + ", ".join(g.name for g in association.groups)
            + "."
        )
