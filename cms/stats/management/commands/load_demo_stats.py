"""Fill the Statistics area of the demo through the real code paths (see cms.stats.demo)."""

import logging

from django.core.management.base import BaseCommand

from cms.stats import demo

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Demo statistics: syndicate the demo items to local fake networks, simulate readers, "
        "pull the metrics, count visits and sign-ups (idempotent; about 15 s)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed: int = 2026, **options):
        try:
            done = demo.load(seed)
        except Exception as exc:  # the rest of the demo must still start
            logger.exception("Demo statistics failed")
            self.stderr.write(
                f"Demo statistics could not be made ({type(exc).__name__}: {exc}); the rest of "
                "the demo is loaded. The log above says why; the Statistics area stays empty."
            )
            return
        self.stdout.write(f"Demo statistics: {done}")
