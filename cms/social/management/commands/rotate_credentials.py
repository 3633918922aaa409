"""``manage.py rotate_credentials``: re-encrypt every account's credentials with the newest key
of ``RELAIS_CREDENTIALS_KEY`` (put the new key first, run this, then remove the old key)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Re-encrypt the social accounts' credentials with the first RELAIS_CREDENTIALS_KEY key."

    def handle(self, *args: Any, **options: Any) -> None:
        from cms.social import crypto
        from cms.social.models import SocialAccount

        done = failed = 0
        for account in SocialAccount.objects.exclude(credentials=""):
            try:
                account.credentials = crypto.rotate(account.credentials)
            except Exception:  # unreadable with every key: the account must be reconnected
                failed += 1
                self.stderr.write(
                    f"{account}: cannot be decrypted with the keys given; "
                    "reconnect it in Settings → Networks."
                )
                continue
            SocialAccount.objects.filter(pk=account.pk).update(credentials=account.credentials)
            done += 1
        self.stdout.write(f"{done} account(s) re-encrypted, {failed} unreadable.")
