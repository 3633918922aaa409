"""Write every live item, page and the association settings of every association into its
content folder."""

from django.core.management.base import BaseCommand
from wagtail.models import Page

from cms.content.models import InfoPage, ItemPage
from cms.publishing import export
from cms.publishing.builder import all_sites
from cms.publishing.models import BuildRecord, ExportRecord
from cms.publishing.tasks import run_build


class Command(BaseCommand):
    help = "Export all live items to the content folders (and build the sites with --build)."

    def add_arguments(self, parser):
        parser.add_argument("--build", action="store_true", help="build the sites afterwards")

    def handle(self, *args, build: bool = False, **options):
        sites = all_sites()
        for site in sites:
            export.export_site_config(site)
        pages = [p.specific for p in Page.objects.live().type(ItemPage, InfoPage)]
        live_ids = set()
        for page in pages:
            if page.get_site() is None:
                continue  # under no association's home page: not on any site
            export.export_page(page)
            live_ids.add(page.pk)
        stale = ExportRecord.objects.filter(withdrawn=False).exclude(page_id__in=live_ids)
        for record in stale:
            export.withdraw_page(record.page_id)
        self.stdout.write(f"Exported {len(live_ids)} page(s), withdrew {len(stale)}.")
        if build:
            failed = False
            for site in sites:
                record = run_build(site, "export complet", full=True)
                if record.status == BuildRecord.Status.FAILED:
                    self.stderr.write(record.errors)
                    failed = True
                    continue
                self.stdout.write(
                    f"{site.site_name}: site built in {record.seconds:.2f} s: "
                    f"{record.articles} items, {record.files} files."
                )
            if failed:
                raise SystemExit(1)
