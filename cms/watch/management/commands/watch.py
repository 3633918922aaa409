"""The watch from the command line, beside the admin.

``watch add URL [--site SITE] [--kind page|listing]`` adds a source (a feed, or a site whose
feed is discovered, or a page to watch); ``watch check [--json] [--site SITE] [--force]`` runs
one cycle now and prints, per source checked, its address, ``ok`` or ``error`` with the reason,
and the number of new entries. SITE is the site's id, its host name or its association's
identifier; without it, the installation's default site.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from wagtail.models import Site

from cms.watch.checking import SourceError, add_source, run_cycle


def find_site(value: str | None) -> Site:
    if not value:
        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
        if site is None:
            raise CommandError("No site yet: create an association first (create_association).")
        return site
    match = Q(hostname=value) | Q(association__slug=value)
    if value.isdigit():
        match |= Q(pk=int(value))
    site = Site.objects.filter(match).first()
    if site is None:
        raise CommandError(
            f"No site {value!r}: give a site's id, host name or association identifier "
            f"({', '.join(Site.objects.values_list('hostname', flat=True))})."
        )
    return site


class Command(BaseCommand):
    help = "Add a watched source (add URL), or check the due sources now (check)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add a source by its address")
        add.add_argument("url")
        add.add_argument("--site", help="site id, host name or association identifier")
        add.add_argument("--kind", choices=["page", "listing"], default="")
        check = actions.add_parser("check", help="run one check cycle now")
        check.add_argument("--json", action="store_true", help="one JSON document")
        check.add_argument("--site", help="only this site's sources")
        check.add_argument("--force", action="store_true", help="check sources not yet due")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "add":
            self.add(options["url"], find_site(options["site"]), options["kind"])
        else:
            self.check(options)

    def add(self, url: str, site: Site, kind: str) -> None:
        try:
            source = add_source(site, url, kind)
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"added {source.url} ({source.kind}) to {site.hostname}")

    def check(self, options: dict[str, Any]) -> None:
        sites = [find_site(options["site"])] if options["site"] else None
        outcomes = run_cycle(sites=sites, force=options["force"])
        if options["json"]:
            rows = [
                {
                    "source": o.source_id,
                    "site": o.site_id,
                    "url": o.url,
                    "status": o.status,
                    "reason": o.reason,
                    "new_entries": o.new,
                }
                for o in outcomes
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not outcomes:
            self.stdout.write("no source due")
        for o in outcomes:
            status = "ok" if o.ok else f"error: {o.reason}"
            self.stdout.write(f"{o.url}\t{status}\t{o.new} new")
