"""Storing a connected account: a new one, or the same account reconnected (then whatever
waited for it goes out)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from .delivery import resume_account
from .models import SocialAccount
from .notify import mark_connected
from .providers import Candidate

logger = logging.getLogger(__name__)


def save_candidate(
    site: Any,
    network: str,
    candidate: Candidate,
    user: Any = None,
    account: SocialAccount | None = None,
) -> tuple[SocialAccount, bool]:
    """Create or update the account for ``candidate``; returns it and whether it is new.

    The same remote account on the same site is the same ``SocialAccount``, also when it was
    stored under one of the candidate's ``former_ids``: reconnecting it replaces its id and
    credentials, clears "reconnect needed" and resumes its waiting deliveries."""
    with transaction.atomic():
        if account is None:
            account = (
                SocialAccount.objects.select_for_update()
                .filter(
                    site=site,
                    network=network,
                    remote_id__in=[candidate.remote_id, *candidate.former_ids],
                )
                .order_by("pk")
                .first()
            )
        created = account is None
        if account is None:
            account = SocialAccount(site=site, network=network, owner=user)
        account.remote_id = candidate.remote_id
        account.display_name = candidate.display_name[:150]
        account.handle = candidate.handle[:200]
        account.profile_url = candidate.profile_url
        account.base_url = candidate.base_url
        account.network_settings = candidate.network_settings
        account.client_options = candidate.client_options
        account.token_expires_at = candidate.token_expires_at
        account.active = True
        account.connected_at = timezone.now()
        if account.owner_id is None and getattr(user, "pk", None):
            account.owner = user
        account.set_credentials(candidate.credentials)
        account.status, account.status_message = SocialAccount.Status.OK, ""
        account.save()
        mark_connected(account)
    logger.info(
        "Social account %s (%s) %s", account.pk, network, "connected" if created else "reconnected"
    )
    if not created:
        resume_account(account)
    return account, created
