"""Read the networks' metrics now: the posts that are due, or all that are still followed."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from cms.stats.models import TrackedPost
from cms.stats.pulling import pull, track_new_posts


class Command(BaseCommand):
    help = "Read the metrics of the posts that are due (--all: every post still followed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="read every post younger than the stop age, due or not",
        )

    def handle(self, *args, all: bool = False, **options):
        now = timezone.now()
        posts = None
        if all:
            track_new_posts(now)
            posts = TrackedPost.objects.filter(next_pull_at__isnull=False)
        self.stdout.write(str(pull(now, posts)))
