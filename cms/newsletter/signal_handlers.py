"""How the newsletter hears about the rest of Relais (connected once, in ``AppConfig.ready``):

- a sign-up that asked for the news (``wants_news``) becomes a pending subscriber, who gets
  the confirmation mail (double opt-in);
- a person's data erased on request (:data:`cms.members.signals.person_erased`) takes their
  subscription with it;
- the association's ``site.yaml`` carries the subscribe form's address while its letter is on,
  and is exported again when the letter's settings change (so is the archive page of the
  letters sent, :mod:`cms.newsletter.archive`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse

from cms.core.models import AssociationSettings
from cms.federation.models import Association
from cms.members.models import Signup
from cms.members.signals import person_erased
from cms.publishing.tasks import export_site_config_task

from .models import NewsletterSettings, Subscriber
from .subscriptions import subscribe
from .tasks import update_archive_task


def on_signup_saved(sender: Any, instance: Signup, created: bool, **kwargs: Any) -> None:
    if created and instance.wants_news and not kwargs.get("raw"):  # raw: a restore
        subscribe(instance.site_id, instance.email, instance.name, Subscriber.Source.SIGNUP)


def on_person_erased(sender: Any, email: str, site: Any, **kwargs: Any) -> int:
    """A person's data erased on request: their subscription (and its ledger) goes too."""
    subscribers = Subscriber.objects.filter(site=site, email__iexact=email)
    count = subscribers.count()
    subscribers.delete()  # with their deliveries
    return count


def on_settings_saved(sender: Any, instance: NewsletterSettings, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # a restore: content/ comes back as it was
    site_id = instance.site_id
    transaction.on_commit(lambda: export_site_config_task.enqueue(site_id))
    transaction.on_commit(lambda: update_archive_task.enqueue(site_id))


def subscribe_url(site_id: int) -> str:
    """The subscribe form's address while the association's letter is on, else ``""``."""
    config = NewsletterSettings.objects.filter(site_id=site_id).first()
    if config is None or config.frequency == NewsletterSettings.Frequency.OFF:
        return ""
    slug = Association.for_site(site_id).slug
    return settings.WAGTAILADMIN_BASE_URL + reverse("newsletter:subscribe", args=[slug])


def site_config_fields(association_settings: AssociationSettings) -> dict[str, str]:
    return {"newsletter_url": subscribe_url(association_settings.site_id)}


def connect() -> None:
    post_save.connect(on_signup_saved, sender=Signup, dispatch_uid="relais-newsletter-signup")
    person_erased.connect(on_person_erased, dispatch_uid="relais-newsletter-erasure")
    post_save.connect(
        on_settings_saved, sender=NewsletterSettings, dispatch_uid="relais-newsletter-settings"
    )
