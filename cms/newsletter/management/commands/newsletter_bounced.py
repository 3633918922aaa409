"""``manage.py newsletter_bounced ADDRESS… [--site ID]``: addresses that bounced permanently
receive no more digests. Relais has no bounce processor: run this with the addresses your mail
provider reports (or use the admin's "adresse en échec" status)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cms.newsletter.subscriptions import mark_bounced


class Command(BaseCommand):
    help = "Mark newsletter addresses as permanently bouncing (no more digests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addresses", nargs="+", help="e-mail addresses that bounced")
        parser.add_argument(
            "--site", type=int, default=None, help="only this site's (association's) list"
        )

    def handle(self, *args: Any, addresses: list[str], site: int | None, **options: Any) -> None:
        changed = mark_bounced(site, addresses)
        self.stdout.write(f"{changed} subscriber(s) marked bounced.")
