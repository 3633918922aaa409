from django.core.management.base import BaseCommand, CommandError

from cms.federation.models import Association
from cms.publishing.builder import all_sites
from cms.publishing.models import BuildRecord
from cms.publishing.tasks import run_build


class Command(BaseCommand):
    help = (
        "Build the static site of every association (or of --site SLUG) from its content folder "
        "now, and record the builds for the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", help="the association's identifier (slug)")

    def handle(self, *args, site: str | None = None, **options):
        sites = all_sites()
        if site:
            sites = [a.site for a in Association.objects.filter(slug=site)]
            if not sites:
                known = ", ".join(Association.objects.values_list("slug", flat=True))
                raise CommandError(f"No association {site!r}: use one of {known}.")
        failed = []
        for one in sites:
            record = run_build(one, "commande build_site", full=True)
            if record.status == BuildRecord.Status.FAILED:
                failed.append(f"{one.site_name}:\n{record.errors}")
                continue
            self.stdout.write(
                f"{one.site_name}: site built in {record.seconds:.2f} s: {record.articles} items."
            )
        if failed:
            raise CommandError("\n".join(failed))
