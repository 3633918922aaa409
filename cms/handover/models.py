"""Who covers a network account when its owner is away: its **backup** person, and the
reminders already sent before its token expires (so that each leaves once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountCover(models.Model):
    #: How a cover belongs to an association (:func:`cms.federation.scope.scoped_objects`).
    site_path = "account__site"

    account = models.OneToOneField(
        "social.SocialAccount",
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="cover",
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suppléant·e"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Prévenu·e avec le ou la responsable avant que le compte ne s'arrête."),
    )
    #: The expiry the reminders below were sent for (a renewed token starts again).
    reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    #: The smallest threshold (days before the expiry) already reminded for it.
    reminded_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("suppléance d'un compte")
        verbose_name_plural = _("suppléances des comptes")

    def __str__(self) -> str:
        return str(self.account)
