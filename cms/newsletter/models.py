"""The news by e-mail, per association: who subscribed, when digests leave, and the ledger of
what was sent to whom.

- :class:`NewsletterSettings`: how often the association's digest leaves (weekly, monthly,
  never), on which day and hour, and how fast it is sent.
- :class:`Subscriber`: one address of one association, with its state (``pending`` until the
  confirmation link is followed: double opt-in, nothing is sent before), and two random tokens
  (confirm, unsubscribe) that cannot be guessed.
- :class:`Digest`: one issue (the items published in its period, as HTML and text).
- :class:`DigestDelivery`: one digest to one subscriber, the ledger that makes sending
  exactly-once (its states are described in :mod:`cms.newsletter.sending`).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """A random token (256 bits): links carry it, nothing can derive it."""
    return secrets.token_urlsafe(32)


class NewsletterSettings(models.Model):
    site_path = "site"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("chaque semaine")
        MONTHLY = "monthly", _("chaque mois")
        OFF = "off", _("jamais (lettre arrêtée)")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lundi")
        TUESDAY = 1, _("mardi")
        WEDNESDAY = 2, _("mercredi")
        THURSDAY = 3, _("jeudi")
        FRIDAY = 4, _("vendredi")
        SATURDAY = 5, _("samedi")
        SUNDAY = 6, _("dimanche")

    site = models.OneToOneField(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
    )
    frequency = models.CharField(
        _("fréquence"), max_length=10, choices=Frequency.choices, default=Frequency.OFF
    )
    weekday = models.PositiveSmallIntegerField(
        _("jour de la semaine"),
        choices=Weekday.choices,
        default=Weekday.THURSDAY,
        help_text=_("Pour une lettre hebdomadaire."),
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("jour du mois"),
        default=1,
        help_text=_("Pour une lettre mensuelle : de 1 à 28 (tous les mois en ont autant)."),
    )
    hour = models.PositiveSmallIntegerField(_("heure d'envoi"), default=9)
    per_second = models.PositiveSmallIntegerField(
        _("e-mails par seconde"),
        default=5,
        help_text=_(
            "L'envoi est étalé à ce rythme : demandez à votre fournisseur d'e-mails sa limite."
        ),
    )
    archive_on_site = models.BooleanField(
        _("archive sur le site"),
        default=True,
        help_text=_(
            "Les lettres envoyées sont lues aussi sur le site, page « Lettres d'information » "
            "(sans rien de personnel)."
        ),
    )
    last_run_at = models.DateTimeField(_("dernière lettre programmée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("réglages de la lettre")
        verbose_name_plural = _("réglages de la lettre")

    def __str__(self) -> str:
        return str(self.site)

    def clean(self) -> None:
        errors = {}
        if not 1 <= self.day_of_month <= 28:
            errors["day_of_month"] = _("Choisissez un jour de 1 à 28.")
        if not 0 <= self.hour <= 23:
            errors["hour"] = _("Choisissez une heure de 0 à 23.")
        if not 1 <= self.per_second <= 100:
            errors["per_second"] = _("Choisissez un rythme de 1 à 100 e-mails par seconde.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def for_site(cls, site_id: int) -> NewsletterSettings:
        found, _created = cls.objects.get_or_create(site_id=site_id)
        return found


class Subscriber(models.Model):
    site_path = "site"

    class Source(models.TextChoices):
        SIGNUP = "signup", _("formulaire d'adhésion")
        SITE = "site", _("formulaire du site")
        ADMIN = "admin", _("ajout dans l'administration")

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de confirmation")
        CONFIRMED = "confirmed", _("abonné·e")
        UNSUBSCRIBED = "unsubscribed", _("désabonné·e")
        BOUNCED = "bounced", _("adresse en échec")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("nom"), max_length=150, blank=True)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("statut"), max_length=14, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    confirm_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    unsubscribe_token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False
    )
    created_at = models.DateTimeField(_("inscrit·e le"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désabonné·e le"), null=True, blank=True)

    class Meta:
        verbose_name = _("abonné·e")
        verbose_name_plural = _("abonné·es")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "email"], name="newsletter_one_address")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class Digest(models.Model):
    site_path = "site"

    class Status(models.TextChoices):
        READY = "ready", _("prête")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyée")

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("programmée")
        URGENT = "urgent", _("envoi immédiat")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.SCHEDULED)
    period_start = models.DateTimeField(_("début de la période"))
    period_end = models.DateTimeField(_("fin de la période"))
    subject = models.CharField(_("objet"), max_length=200)
    html = models.TextField(_("version HTML"), editable=False)
    text = models.TextField(_("version texte"), editable=False)
    items = models.JSONField(_("contenus"), default=list, editable=False)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.READY, db_index=True
    )
    created_at = models.DateTimeField(_("composée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    archived_at = models.DateTimeField(
        _("sur le site depuis le"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("lettre")
        verbose_name_plural = _("lettres")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class DigestDelivery(models.Model):
    site_path = "digest__site"

    class State(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENDING = "sending", _("en cours")
        SENT = "sent", _("envoyé")
        UNCERTAIN = "uncertain", _("incertain (non renvoyé)")
        FAILED = "failed", _("refusé")
        SKIPPED = "skipped", _("annulé (plus abonné·e)")

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempted_at = models.DateTimeField(_("tenté le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    message_id = models.CharField(_("identifiant du message"), max_length=250, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    reason = models.TextField(_("raison"), blank=True)

    class Meta:
        verbose_name = _("envoi de lettre")
        verbose_name_plural = _("envois de lettre")
        constraints = [
            models.UniqueConstraint(fields=["digest", "subscriber"], name="newsletter_one_delivery")
        ]

    def __str__(self) -> str:
        return f"{self.digest_id} → {self.subscriber_id}: {self.state}"
