"""Deleting a person's data on request (GDPR right to erasure), by e-mail address, in one
association: the one the request was made to (each association is the controller of the data
it received; another association the person also signed up with keeps its own).

Removes every :class:`~cms.members.models.Signup` of the association's site with that address,
the Wagtail form submissions of its sign-up pages that mention it (sign-ups recorded before the
``Signup`` model), and the rate-limit counter of that address. The site audience
(:mod:`cms.audience`) holds aggregated counts only, with nothing tied to a person: there is
nothing to delete there. What remains is one more unit in the association's anonymous
:class:`ErasureTally` of the month.

:func:`purge_expired` deletes, each night (a job of the worker's clock), the sign-ups older than
``RELAIS_SIGNUP_RETENTION_DAYS`` and the older form submissions of sign-up pages.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import Site

from . import protection
from .models import ErasureTally, Signup, SignUpPage
from .signals import person_erased

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erasure:
    signups: int
    legacy_submissions: int

    @property
    def total(self) -> int:
        return self.signups + self.legacy_submissions


def _legacy_submissions(email: str, site: Site) -> list[int]:
    pages = SignUpPage.objects.descendant_of(site.root_page, inclusive=True).values_list(
        "pk", flat=True
    )
    return [
        s.pk
        for s in FormSubmission.objects.filter(page_id__in=list(pages))
        if any(
            isinstance(v, str) and v.strip().lower() == email for v in (s.form_data or {}).values()
        )
    ]


def find(email: str, site: Site) -> Erasure:
    """What :func:`erase` would delete in ``site``'s association, without deleting it."""
    email = email.strip().lower()
    return Erasure(
        Signup.objects.filter(site=site, email__iexact=email).count(),
        len(_legacy_submissions(email, site)),
    )


@transaction.atomic
def erase(email: str, site: Site) -> Erasure:
    """Delete what ``site``'s association holds of the person with ``email``."""
    email = email.strip().lower()
    signups, _ = Signup.objects.filter(site=site, email__iexact=email).delete()
    legacy, _ = FormSubmission.objects.filter(pk__in=_legacy_submissions(email, site)).delete()
    protection.forget("email", email)
    person_erased.send(sender=Signup, email=email, site=site)
    month = timezone.localdate().replace(day=1)
    ErasureTally.objects.get_or_create(site=site, month=month)
    ErasureTally.objects.filter(site=site, month=month).update(
        requests=F("requests") + 1, records=F("records") + signups + legacy
    )
    return Erasure(signups, legacy)


@transaction.atomic
def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the sign-ups (and sign-up form submissions) received more than
    ``RELAIS_SIGNUP_RETENTION_DAYS`` ago; the number deleted. Nothing when the setting is 0."""
    days = int(settings.RELAIS_SIGNUP_RETENTION_DAYS)
    if days <= 0:
        return 0
    limit = (now or timezone.now()) - dt.timedelta(days=days)
    signups, _ = Signup.objects.filter(created_at__lt=limit).delete()
    legacy, _ = FormSubmission.objects.filter(
        page_id__in=list(SignUpPage.objects.values_list("pk", flat=True)), submit_time__lt=limit
    ).delete()
    if signups or legacy:
        logger.info(
            "Sign-ups: %d record(s) older than %d days deleted (retention period)",
            signups + legacy,
            days,
        )
    return signups + legacy
