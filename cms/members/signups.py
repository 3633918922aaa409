"""Recording a sign-up; once stored, it is announced (`signup_received`) and the app's tasks
queue its e-mails (never sent inside the request)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .forms import consent_text
from .signals import signup_received

if TYPE_CHECKING:
    from .forms import SignUpForm
    from .models import Signup, SignUpPage


def create_signup(page: SignUpPage, form: SignUpForm) -> Signup:
    """Store the sign-up of a valid ``form``; once the transaction commits, queue the
    acknowledgement to the person and the notification to the association."""
    data = form.cleaned_data
    first, last = form.touches()
    wishes = set(data["wishes"])
    consent = consent_text(page)
    if page.privacy_url():
        consent = f"{consent} ({page.privacy_url()})"
    signup = page.signups.create(
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
    transaction.on_commit(lambda: signup_received.send(type(signup), signup_id=signup.pk))
    return signup
