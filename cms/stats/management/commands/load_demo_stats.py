"""Fill the Statistics area of the demo through the real code paths (see cms.stats.demo)."""

from django.core.management.base import BaseCommand

from cms.stats import demo


class Command(BaseCommand):
    help = ("Demo statistics: syndicate the demo items to local fake networks, simulate readers, "
            "pull the metrics, count visits and sign-ups (idempotent; about 20 s).")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed: int = 2026, **options):
        self.stdout.write(f"Demo statistics: {demo.load(seed)}")
