"""What an association says on the networks that is no item's excerpt: a question to its
community (a **discussion**, with a poll where the network has polls) and a **thank-you** to
an item's contributors.

A :class:`Discussion` is not a page of the site: it is a post, written once, with a text per
network the editor reviews, optionally linked to an item of the site (its link and card go
with the post) or to the article of a watched entry. Sending it writes one line of the
ledger per account (``social.Delivery``, key ``discussion:<pk>``, no page), posted by the
same delivery engine as items, exactly once; its replies land in the desk of conversations
as those of any post.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.federation.models import default_site_id
from syndication.models import Poll

#: The key of a discussion's posts in the ledger: ``discussion:<pk>`` (a colon never appears
#: in an item's ``<section>/<slug>``).
KEY_PREFIX = "discussion:"


class Discussion(models.Model):
    """A question or a thank-you posted on the chosen networks (see the module's docstring)."""

    site_path = "site"

    class Kind(models.TextChoices):
        QUESTION = "question", _("discussion")
        THANKS = "thanks", _("remerciement")

    class State(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        SENT = "sent", _("envoyée")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        default=default_site_id,
        editable=False,
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=Kind.choices, default=Kind.QUESTION, editable=False
    )
    question = models.CharField(
        _("question"),
        max_length=300,
        help_text=_("Ce que vous demandez à la communauté, en une phrase."),
    )
    context = models.TextField(
        _("contexte"),
        max_length=600,
        blank=True,
        help_text=_("Quelques mots pour situer la question (600 caractères au plus)."),
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("article lié"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Un article en ligne du site : son lien et sa carte partent avec la question. "
            "Vide : la question part seule (ou avec le lien ci-dessous)."
        ),
    )
    entry = models.ForeignKey(
        "watch.WatchEntry",
        verbose_name=_("entrée de veille"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    link = models.URLField(
        _("lien"),
        max_length=2000,
        blank=True,
        help_text=_("L'adresse d'un article ailleurs (celui de la veille), écrite dans le texte."),
    )
    source = models.CharField(
        _("source créditée"), max_length=250, blank=True, help_text=_("Par exemple : Les Échos.")
    )
    poll_options = models.TextField(
        _("choix du sondage"),
        blank=True,
        help_text=_(
            "Un choix par ligne, de 2 à 4 ; vide : pas de sondage. Sondages possibles sur "
            "Mastodon (50 caractères par choix), LinkedIn (30, et une question de 140 "
            "caractères au plus) et X (25) ; Bluesky, Facebook et Instagram n'en permettent "
            "pas par leur API."
        ),
    )
    poll_hours = models.PositiveSmallIntegerField(
        _("durée du sondage (heures)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
        help_text=_(
            "De 1 heure à 14 jours (336 heures) ; X : 7 jours au plus ; LinkedIn : 24, 72, "
            "168 ou 336 heures exactement."
        ),
    )
    networks = models.JSONField(_("réseaux"), default=list, blank=True)
    texts = models.JSONField(_("textes par réseau"), default=dict, blank=True, editable=False)
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.question

    @property
    def key(self) -> str:
        """The key of its posts in the ledger."""
        return f"{KEY_PREFIX}{self.pk}"

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.poll_options.splitlines() if line.strip()]

    @property
    def poll(self) -> Poll | None:
        options = self.options
        return Poll(tuple(options), self.poll_hours * 3600, self.question) if options else None

    @property
    def is_sent(self) -> bool:
        return self.state == self.State.SENT

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        options = self.options
        if options and not 2 <= len(options) <= 4:
            errors["poll_options"] = _(
                "Un sondage propose de 2 à 4 choix, un par ligne ; vous en avez écrit "
                "%(n)s. Videz le champ pour ne pas faire de sondage."
            ) % {"n": len(options)}
        if self.page_id is not None:
            page_site = self.page.get_site()
            if page_site is None or page_site.pk != self.site_id:
                errors["page"] = _("Choisissez un article du site de l'association.")
        if errors:
            raise ValidationError(errors)
