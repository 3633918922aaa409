"""What the networks said about each post, over time.

* :class:`TrackedPost`: one per sent post of the ledger (``social.Delivery``): when it went out,
  when its metrics are read next (often while it is young, rarely later, never after 90 days:
  :func:`cms.stats.conf.next_pull_at`), and the last numbers read.
* :class:`MetricSample`: the time series, one row per post × metric × time: the count the
  network gave, or — never as a zero — that it was unavailable, with the kind and the reason.
  A row is written when a number changes (or becomes unavailable, or available again): the
  value of a metric at any time is the one of its last row before then, and
  ``TrackedPost.last_pulled_at`` says until when it was confirmed.

Counts are cumulative (the number of likes so far): what a period brought is the difference
between the values at its end and at its start (:mod:`cms.stats.figures`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .labels import METRIC_CHOICES, UNAVAILABLE_CHOICES


class TrackedPost(models.Model):
    site_path = "delivery__account__site"

    delivery = models.OneToOneField(
        "social.Delivery",
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="tracking",
    )
    posted_at = models.DateTimeField(_("publié le"), db_index=True)
    next_pull_at = models.DateTimeField(
        _("prochaine lecture"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Vide : les chiffres de cette publication ne sont plus lus."),
    )
    last_pulled_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True)
    pulls = models.PositiveIntegerField(_("lectures"), default=0)
    failures = models.PositiveSmallIntegerField(_("échecs successifs"), default=0)
    note = models.TextField(_("remarque"), blank=True)
    #: The last numbers read: ``{metric: {"value": n}}`` or ``{metric: {"unavailable": kind,
    #: "reason": text}}`` (also what a new sample is compared with).
    latest = models.JSONField(_("derniers chiffres"), default=dict, blank=True)

    class Meta:
        verbose_name = _("publication suivie")
        verbose_name_plural = _("publications suivies")
        ordering = ["-posted_at"]

    def __str__(self) -> str:
        return f"{self.delivery} ({self.posted_at:%Y-%m-%d})"


class MetricSample(models.Model):
    site_path = "delivery__account__site"

    delivery = models.ForeignKey(
        "social.Delivery",
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="metric_samples",
    )
    metric = models.CharField(_("mesure"), max_length=20, choices=METRIC_CHOICES)
    taken_at = models.DateTimeField(_("lu le"), db_index=True)
    value = models.PositiveBigIntegerField(_("valeur"), null=True, blank=True)
    unavailable = models.CharField(
        _("non disponible"),
        max_length=20,
        blank=True,
        choices=UNAVAILABLE_CHOICES,
    )
    reason = models.TextField(_("raison"), blank=True)

    class Meta:
        verbose_name = _("mesure d'une publication")
        verbose_name_plural = _("mesures des publications")
        ordering = ["delivery_id", "metric", "taken_at", "pk"]
        indexes = [
            models.Index(fields=["delivery", "metric", "taken_at"], name="stats_sample_series"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(value__isnull=False, unavailable="")
                    | (models.Q(value__isnull=True) & ~models.Q(unavailable=""))
                ),
                name="stats_sample_value_or_unavailable",
            )
        ]
        permissions = [("view_statistics", _("Peut consulter les statistiques"))]

    def __str__(self) -> str:
        shown = self.value if self.value is not None else self.get_unavailable_display()
        return f"{self.delivery_id} {self.metric} {self.taken_at:%Y-%m-%d %H:%M}: {shown}"

    @property
    def available(self) -> bool:
        return self.value is not None
