"""``manage.py syndicate PAGE_ID [--network NAME] [--dry-run] [--again]``: post a live item to
the association's accounts from the shell, through the same ledger as the worker (an account
already posted to is not posted to again, unless ``--again``).

``--dry-run`` sends nothing and writes nothing: it prints, one JSON object per line and per
account, the exact body of the call that would create the post (as ``python -m syndication
compose --json`` does for a file). Bluesky's ``createdAt`` is the time of the dry run and its
card picture shows as ``{"pending_upload": <file>}``: both are filled in when really posting.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from syndication.compose import compose
from syndication.errors import ComposeError, NotSyndicable
from syndication.networks import registry


class Command(BaseCommand):
    help = "Post a live item to the site's social accounts (or print what would be sent)."

    def add_arguments(self, parser):
        parser.add_argument("page_id", type=int, help="the item's page id (as in the admin)")
        parser.add_argument("--network", choices=list(registry), help="only this network")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print the request bodies that would be sent; send nothing",
        )
        parser.add_argument(
            "--again", action="store_true", help="post again where the item was posted already"
        )

    def handle(
        self,
        *args: Any,
        page_id: int,
        network: str | None,
        dry_run: bool,
        again: bool,
        **options: Any,
    ) -> None:
        from wagtail.models import Page

        from cms.publishing.models import ExportRecord
        from cms.social.compose import compose_error_message, item_from_record, override_for
        from cms.social.planning import accounts_for

        page = Page.objects.filter(pk=page_id).first()
        if page is None:
            raise CommandError(f"No page {page_id}.")
        page = page.specific
        if not hasattr(page, "social_texts"):
            raise CommandError(
                f"Page {page_id} ({page.title}) is not an item: only items are posted to networks."
            )
        record = ExportRecord.objects.filter(page_id=page_id, withdrawn=False).first()
        if record is None or record.live_at is None:
            raise CommandError(
                f"Page {page_id} ({page.title}) is not live on the site yet: "
                "publish it and wait for the build."
            )
        accounts = accounts_for(page, [network] if network else None)
        if not accounts:
            raise CommandError(
                "No active account"
                + (f" on {network}" if network else "")
                + " for this page's site: connect one in Settings → Networks."
            )
        if dry_run:
            item = item_from_record(record)
            for account in accounts:
                net = account.make_network()
                line: dict[str, Any] = {
                    "account": account.pk,
                    "network": account.network,
                    "account_name": account.display_name,
                    "endpoint": net.create_endpoint,
                }
                try:
                    post = compose(item, net, override_for(page.social_texts, account.network))
                except (NotSyndicable, ComposeError) as exc:
                    line["skipped"] = compose_error_message(exc, net)
                else:
                    line.update(
                        length=post.length,
                        limit=post.limit,
                        body=net.request_body(post, account.public_identity()),
                    )
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            return

        from cms.social.delivery import deliver
        from cms.social.models import Delivery
        from cms.social.planning import plan

        plan(page, record, accounts=accounts, again=again)
        for account in accounts:
            delivery = (
                Delivery.objects.filter(page_id=page_id, account=account).order_by("-round").first()
            )
            if delivery is None:
                continue
            delivery = deliver(delivery.pk) or delivery
            where = f" {delivery.remote_url}" if delivery.remote_url else ""
            why = f" — {delivery.explanation}" if delivery.explanation else ""
            self.stdout.write(f"{account}: {delivery.get_state_display()}{where}{why}")
