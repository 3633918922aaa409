"""The pool: items the federation (or a regional union) writes once and offers to the
associations below it.

- :class:`Share` says, for one item of a federation or union site, with whom it is shared: all
  the associations below its author (the federation's whole tree, a union's members), a chosen
  list of them, or those of chosen sectors of activity. It is set on the item's **Partage**
  page, before or after the item is published.
- :class:`Offer` is the item offered to one association (one per target, made when the item is
  published, or when the share is saved on a live item): *proposed* until someone of that
  association decides, then *adopted* (a copy is live on its site, with a canonical link to the
  original), *adapted* (a copy is a draft of its own, to rewrite), *scheduled* (a copy goes live
  at a time) or *declined*.

**When the original changes** after a copy was made, the copy is left as its association made
it (their own standfirst, their own texts may be in it): the offer is flagged
``original_changed``, with the revision the copy was made from, so that the association sees
what changed (the inbox links a comparison) and decides; marking it seen clears the flag. An
offer still *proposed* needs nothing: adopting takes the original as it is then.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.federation.models import Association, Sector


class Share(models.Model):
    class Mode(models.TextChoices):
        ALL = "all", _("toutes les associations rattachées")
        CHOSEN = "chosen", _("les associations choisies")
        SECTORS = "sectors", _("les associations des secteurs choisis")

    page = models.OneToOneField(
        "wagtailcore.Page",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="pool_share",
    )
    mode = models.CharField(
        _("partager avec"), max_length=20, choices=Mode.choices, default=Mode.ALL
    )
    associations = models.ManyToManyField(
        Association, verbose_name=_("associations"), blank=True, related_name="+"
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("secteurs d'activité"), blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifié par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("partage")
        verbose_name_plural = _("partages")

    def __str__(self) -> str:
        return f"{self.page} → {self.get_mode_display()}"


class Offer(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposé")
        ADOPTED = "adopted", _("adopté")
        ADAPTED = "adapted", _("adapté")
        SCHEDULED = "scheduled", _("programmé")
        DECLINED = "declined", _("refusé")

    original = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("article d'origine"),
        on_delete=models.CASCADE,
        related_name="pool_offers",
    )
    association = models.ForeignKey(
        Association,
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        related_name="pool_offers",
    )
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    offered_at = models.DateTimeField(_("proposé le"), auto_now_add=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    copy = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("copie de l'association"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pool_copy_of",
    )
    copied_revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("version copiée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_changed = models.BooleanField(_("l'original a changé"), default=False)

    class Meta:
        verbose_name = _("article proposé")
        verbose_name_plural = _("articles proposés")
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["original", "association"], name="pool_one_offer_per_association"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original} → {self.association} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.PROPOSED
