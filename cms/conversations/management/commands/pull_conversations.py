"""``manage.py pull_conversations [--site ID]``: pull the conversations of every active account
now (what the worker's clock does every few minutes), and say how each account went."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cms.conversations.pulling import pull


class Command(BaseCommand):
    help = "Pull the replies, comments and mentions of every active account into the desk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site", type=int, action="append", help="only this site's accounts (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = pull(options["site"])
        for done in results:
            line = f"{done.account}: {done.read} read, {done.stored} new"
            if done.error:
                self.stdout.write(self.style.WARNING(f"{line} — {done.error}"))
            else:
                self.stdout.write(line)
        if not results:
            self.stdout.write("No active account to pull (connect one in Paramètres → Réseaux).")
