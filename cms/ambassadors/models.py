"""Ambassadors: members who carry the association's news into their own networks.

Each ambassador belongs to one association (its ``site``) and has:

- a **private token**, the key of their personal page (``/ambassadeurs/<token>/``): random and
  unguessable, it is the only way to that page (no account);
- a **reference**, a short slug carried by every link they share (``utm_content``), by which
  the visits they bring (:class:`AmbassadorVisits`, counted by the site's counter) and the
  sign-ups (their first or last touch, :mod:`cms.members.attribution`) are attributed to them.
  It is made of letters only, so that the counter never mistakes it for a phone number.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The ``utm_medium`` of every link an ambassador shares.
MEDIUM = "ambassador"
#: The ``utm_campaign`` of those links (not a section: the sign-up's item stays the page's).
CAMPAIGN = "ambassadeurs"
REFERENCE_LENGTH = 8


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_reference() -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(REFERENCE_LENGTH))


class Ambassador(models.Model):
    #: How an ambassador belongs to an association (:func:`cms.federation.scope.scoped_objects`).
    site_path = "site"

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        help_text=_("L'association dont la personne relaie les nouvelles."),
    )
    name = models.CharField(_("nom et prénom"), max_length=150)
    email = models.EmailField(_("e-mail"))
    linkedin = models.CharField(_("LinkedIn"), max_length=200, blank=True)
    mastodon = models.CharField(
        _("Mastodon"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple @marie@piaille.fr : ses liens de partage ouvrent ce serveur."),
    )
    bluesky = models.CharField(_("Bluesky"), max_length=200, blank=True)
    x = models.CharField(_("X"), max_length=200, blank=True)
    token = models.CharField(
        _("clé de la page personnelle"),
        max_length=64,
        unique=True,
        default=new_token,
        editable=False,
    )
    reference = models.SlugField(
        _("référence"),
        max_length=30,
        unique=True,
        default=new_reference,
        validators=[
            RegexValidator(
                r"^[a-z]+(-[a-z]+)*$",
                _(
                    "Lettres minuscules sans accent et tirets seulement, par exemple « marie-d » "
                    ": le compteur écarte les chiffres, qui pourraient être un numéro de téléphone."
                ),
            )
        ],
        help_text=_(
            "Portée par chaque lien partagé (utm_content) : lettres minuscules et tirets "
            "seulement. La changer détache les visites à venir de l'ancienne."
        ),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Décochez pour fermer sa page personnelle et arrêter ses e-mails."),
    )
    weekly_email = models.BooleanField(
        _("e-mail hebdomadaire"),
        default=False,
        help_text=_("Ce qu'il y a à partager chaque semaine. Un lien de chaque e-mail l'arrête."),
    )
    last_weekly_at = models.DateTimeField(_("dernier e-mail hebdomadaire"), null=True, blank=True)
    signup = models.ForeignKey(
        "members.Signup",
        verbose_name=_("demande d'adhésion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("créé·e le"), default=timezone.now)

    class Meta:
        verbose_name = _("ambassadeur·rice")
        verbose_name_plural = _("ambassadeur·rices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.reference = self.reference.lower()
        super().save(*args, **kwargs)

    @property
    def mastodon_server(self) -> str:
        """The host of the ambassador's Mastodon handle (``@name@host`` or ``https://host/…``)."""
        handle = self.mastodon.strip()
        if handle.startswith("https://"):
            return handle.removeprefix("https://").split("/")[0].lower()
        parts = handle.lstrip("@").split("@")
        return parts[1].lower() if len(parts) == 2 else ""


class AmbassadorVisits(models.Model):
    """Page views of the site counted by its counter that came through an ambassador's link,
    per day and network. Aggregated numbers only, as the counter's own rows."""

    site_path = "site"

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    ambassador = models.ForeignKey(
        Ambassador,
        verbose_name=_("ambassadeur·rice"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    day = models.DateField(_("jour"))
    network = models.CharField(_("réseau ou source"), max_length=100, blank=True)
    views = models.PositiveIntegerField(_("pages vues"), default=0)

    class Meta:
        verbose_name = _("visites d'ambassadeur·rice")
        verbose_name_plural = _("visites d'ambassadeur·rices")
        constraints = [
            models.UniqueConstraint(
                fields=["ambassador", "day", "network"], name="ambassadors_one_count_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.ambassador_id} {self.network}: {self.views}"
