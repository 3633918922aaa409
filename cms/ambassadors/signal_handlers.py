"""What the ambassadors take from the apps below them, by their signals:

- a sign-up that asks to become an ambassador ("devenir ambassadeur·rice") makes one, at once
  (:func:`ambassador_from_signup`): active, with the weekly e-mail if the person asked for the
  association's news; the administrators can deactivate them from Ambassadeurs;
- a page view counted by the site's counter whose link carried an ambassador's reference
  (``utm_medium=ambassador``, ``utm_content=<reference>``) is one more visit for them
  (:func:`count_visit`);
- a person's data deleted on request in an association (:mod:`cms.members.erasure`) deletes
  their ambassador record there too (:func:`on_person_erased`).

A new ambassador (from a sign-up or by hand) is sent the link of their page by e-mail once the
transaction commits: the link is a key, never shown in the admin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_save
from wagtail.models import Site

from cms.audience.counting import Hit
from cms.audience.signals import visit_counted
from cms.audience.sources import utm_value
from cms.members.models import Signup
from cms.members.signals import person_erased

from .models import MEDIUM, Ambassador, AmbassadorVisits
from .tasks import page_link_task


def ambassador_from_signup(signup: Signup) -> Ambassador:
    """The association's ambassador for ``signup`` (by e-mail), made if there is none."""
    existing = Ambassador.objects.filter(site_id=signup.site_id, email__iexact=signup.email)
    found = existing.first()
    if found is not None:
        return found
    return Ambassador.objects.create(
        site_id=signup.site_id,
        name=signup.name,
        email=signup.email,
        weekly_email=signup.wants_news,
        signup=signup,
    )


def on_signup_saved(sender: type, instance: Signup, created: bool, **kwargs: Any) -> None:
    if created and instance.wants_ambassador and not kwargs.get("raw"):  # raw: a restore
        ambassador_from_signup(instance)


def count_visit(
    sender: type, site: Site, hit: Hit, utm: dict[str, str], day: dt.date, **kwargs: Any
) -> None:
    if utm_value(utm.get("utm_medium")) != MEDIUM:
        return
    reference = utm_value(utm.get("utm_content"))
    ambassador = Ambassador.objects.filter(site=site, reference=reference).first()
    if not reference or ambassador is None:
        return
    key = {"site": site, "ambassador": ambassador, "day": day, "network": hit.network or hit.source}
    if AmbassadorVisits.objects.filter(**key).update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            AmbassadorVisits.objects.create(**key, views=1)
    except IntegrityError:  # created by a concurrent request in between
        AmbassadorVisits.objects.filter(**key).update(views=F("views") + 1)


def on_ambassador_saved(sender: type, instance: Ambassador, created: bool, **kwargs: Any) -> None:
    if created and instance.active and not kwargs.get("raw"):  # raw: a restore
        pk = instance.pk
        transaction.on_commit(lambda: page_link_task.enqueue(pk))


def on_person_erased(sender: type, email: str, site: Site, **kwargs: Any) -> int:
    """The person's ambassador record in that association; how many records were deleted."""
    deleted, _ = Ambassador.objects.filter(site=site, email__iexact=email).delete()
    return deleted


def connect() -> None:
    post_save.connect(on_ambassador_saved, sender=Ambassador, dispatch_uid="ambassadors_welcome")
    person_erased.connect(on_person_erased, dispatch_uid="ambassadors_erase_person")
    post_save.connect(on_signup_saved, sender=Signup, dispatch_uid="ambassadors_from_signup")
    visit_counted.connect(count_visit, dispatch_uid="ambassadors_count_visit")
