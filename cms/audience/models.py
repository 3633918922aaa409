"""Audience counts of each association's static site: aggregated numbers only.

What is stored, exactly: for each site, day, page path (on that site), source network, UTM
source, medium and
campaign (short slug-like values only, see :mod:`cms.audience.sources`), and channel (the
counter pixel or an ingested access log), a number of page views. No IP address, no user agent,
no cookie, no identifier, no time finer than the day: a row cannot be traced back to a person,
so there is nothing to erase when someone asks for their data.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.federation.models import default_site_id


class PageViewCount(models.Model):
    site_path = "site"

    class Channel(models.TextChoices):
        PIXEL = "pixel", _("compteur du site")
        LOG = "log", _("journal du serveur web")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("L'association dont le site a été vu."),
    )
    day = models.DateField(_("jour"))
    path = models.CharField(_("page"), max_length=300)
    network = models.CharField(
        _("réseau d'origine"),
        max_length=40,
        blank=True,
        help_text=_("Vide : visite directe, autre site ou page du site lui-même."),
    )
    source = models.CharField(
        _("source (utm_source)"),
        max_length=100,
        blank=True,
        help_text=_("Telle qu'écrite dans le lien, par exemple « newsletter »."),
    )
    medium = models.CharField(_("support (utm_medium)"), max_length=100, blank=True)
    campaign = models.CharField(_("campagne (utm_campaign)"), max_length=100, blank=True)
    channel = models.CharField(
        _("mesure"), max_length=8, choices=Channel.choices, default=Channel.PIXEL
    )
    views = models.PositiveIntegerField(_("pages vues"), default=0)

    class Meta:
        verbose_name = _("compte de pages vues")
        verbose_name_plural = _("audience du site")
        ordering = ["-day", "-views"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "site",
                    "day",
                    "path",
                    "network",
                    "source",
                    "medium",
                    "campaign",
                    "channel",
                ],
                name="audience_one_count_per_key",
            ),
        ]
        indexes = [models.Index(fields=["day", "network"], name="audience_day_network")]

    def __str__(self) -> str:
        return f"{self.day} {self.path} {self.network or '-'}: {self.views}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.site_id is None:  # counted before the federation: the first association's
            self.site_id = default_site_id()
        super().save(*args, **kwargs)


class LogIngestion(models.Model):
    """How far an access log has been read, so that running the ingestion again (or on a log
    that has grown since) never counts a line twice. A log is known by a hash of its first line.
    """

    site_path = "site"

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("L'association dont le journal compte les visites."),
    )
    first_line_sha256 = models.CharField(max_length=64)
    name = models.CharField(_("fichier"), max_length=300)
    position = models.PositiveBigIntegerField(_("octets lus"), default=0)
    lines_read = models.PositiveIntegerField(_("lignes lues"), default=0)
    views_counted = models.PositiveIntegerField(_("pages vues comptées"), default=0)
    updated_at = models.DateTimeField(_("dernière lecture"), auto_now=True)

    class Meta:
        verbose_name = _("journal ingéré")
        verbose_name_plural = _("journaux ingérés")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "first_line_sha256"], name="audience_one_ingestion_per_log"
            )
        ]

    def __str__(self) -> str:
        return self.name
