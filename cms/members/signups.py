"""Recording a sign-up and queueing its e-mails (never sent inside the request)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .models import Signup

if TYPE_CHECKING:
    from .forms import SignUpForm
    from .models import SignUpPage


def create_signup(page: SignUpPage, form: SignUpForm) -> Signup:
    """Store the sign-up of a valid ``form``; once the transaction commits, queue the
    acknowledgement to the person and the notification to the association."""
    from .forms import consent_text

    data = form.cleaned_data
    first, last = form.touches()
    wishes = set(data["wishes"])
    consent = consent_text(page)
    if page.privacy_url():
        consent = f"{consent} ({page.privacy_url()})"
    signup = Signup.objects.create(
        page=page,
        name=data["name"],
        email=data["email"],
        school=data.get("school") or "",
        class_year=data.get("class_year"),
        wants_membership="membership" in wishes,
        wants_ambassador="ambassador" in wishes,
        wants_news="news" in wishes,
        answers=form.extra_answers(),
        consent_text=consent,
        consented_at=timezone.now(),
        **first.fields_for("first"),
        **last.fields_for("last"),
    )
    transaction.on_commit(lambda: queue_emails(signup.pk))
    return signup


def queue_emails(signup_id: int) -> None:
    from .tasks import notify_association, send_signup_acknowledgement

    send_signup_acknowledgement.enqueue(signup_id)
    notify_association.enqueue(signup_id)
