"""Who and what items are about: class years (promotions), groups, contributors.

They are snippets: editors manage them once and pick them on each item. Each association has
its own (:class:`SiteTerm`): its class years, groups and contributors belong to its site, are
unique within it, and are offered on its items only.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from cms.federation.models import default_site_id


class SiteTerm(models.Model):
    """A term of one association: ``site`` is its association's site (the installation's
    default site when none is given, as for the terms made before the federation), and
    ``unique_per_site`` the fields two terms of a site cannot share."""

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        default=default_site_id,
        editable=False,
    )

    unique_per_site: ClassVar[tuple[str, ...]] = ()
    #: How a term belongs to an association (:func:`cms.federation.scope.scoped_objects`).
    site_path: ClassVar[str] = "site"

    class Meta:
        abstract = True

    def clean(self) -> None:
        """A term may not take a value another term of its site has (a message per field,
        instead of the database refusing the row)."""
        super().clean()
        errors = {}
        for name in self.unique_per_site:
            value = getattr(self, name)
            if value in (None, ""):
                continue
            twins = type(self).objects.filter(site_id=self.site_id, **{name: value})
            if twins.exclude(pk=self.pk).exists():
                errors[name] = _(
                    "« %(value)s » est déjà pris dans cette association (%(field)s) : "
                    "ouvrez la fiche qui l'a pour la modifier, ou choisissez une autre valeur."
                ) % {"value": value, "field": self._meta.get_field(name).verbose_name}
        if errors:
            raise ValidationError(errors)


class ClassYear(index.Indexed, SiteTerm):
    """A promotion: the engineers who graduated the same year."""

    year = models.PositiveSmallIntegerField(
        _("année"),
        validators=[MinValueValidator(1794), MaxValueValidator(2100)],
        help_text=_("Année de sortie de la promotion, par exemple 2012."),
    )
    name = models.CharField(
        _("nom de promotion"),
        max_length=120,
        blank=True,
        help_text=_("Nom de baptême de la promotion, s'il y en a un."),
    )

    panels = [FieldPanel("year"), FieldPanel("name")]
    search_fields = [
        index.SearchField("name"),
        index.FilterField("year"),
        index.FilterField("site"),
    ]
    unique_per_site = ("year",)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.UniqueConstraint(fields=["site", "year"], name="taxonomy_class_year_per_site")
        ]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def display_name(self) -> str:
        return f"{self.year} — {self.name}" if self.name else str(self.year)


class Group(index.Indexed, SiteTerm):
    """A regional group, a club or a professional group of the association."""

    class Kind(models.TextChoices):
        REGIONAL = "regional", _("Groupe régional")
        INTERNATIONAL = "international", _("Groupe international")
        PROFESSIONAL = "professional", _("Groupe professionnel")
        CLUB = "club", _("Club")

    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=120, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.REGIONAL)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind"), FieldPanel("description")]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("description"),
        index.FilterField("site"),
    ]
    unique_per_site = ("name", "slug")

    class Meta:
        ordering = ["name"]
        verbose_name = _("groupe")
        verbose_name_plural = _("groupes")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="taxonomy_group_name_per_site"),
            models.UniqueConstraint(fields=["site", "slug"], name="taxonomy_group_slug_per_site"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.slug and self.name:
            self.slug = slugify(self.name)[:120]
        super().clean()


#: How each network's handle is written, and what is stored (the handle as its text mentions
#: it). LinkedIn, Facebook and Instagram are absent: their APIs mention people by ids
#: Relais cannot look up for a person who is not the account's own page (LinkedIn's member
#: URN needs its own permission, Facebook and Instagram tag people only in their own apps),
#: so a thank-you there names the contributors in plain text.
HANDLE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "mastodon": (
        re.compile(r"^@?([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$"),
        "@{0}@{1}",
    ),
    "bluesky": (
        re.compile(r"^@?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9])$"),
        "{0}",
    ),
    "x": (re.compile(r"^@?([A-Za-z0-9_]{1,15})$"), "@{0}"),
}


def normal_handle(network: str, value: str) -> str | None:
    """``value`` written as ``network`` mentions it (``@nom@serveur``, ``nom.bsky.social``,
    ``@nom``), or None when it is not a handle of that network."""
    pattern, form = HANDLE_FORMATS[network]
    found = pattern.match(value.strip().lower() if network != "x" else value.strip())
    return form.format(*found.groups()) if found else None


class Contributor(index.Indexed, SiteTerm):
    """Someone credited on items: alumni who write, photograph, interview, relay news."""

    name = models.CharField(_("nom"), max_length=120)
    class_year = models.ForeignKey(
        ClassYear,
        verbose_name=_("promotion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributors",
    )
    role = models.CharField(
        _("rôle"),
        max_length=120,
        blank=True,
        help_text=_("Par exemple : rédactrice, photographe, ambassadeur."),
    )
    email = models.EmailField(
        _("e-mail"),
        blank=True,
        help_text=_("Pour le remercier ; jamais publié sur le site."),
    )
    mastodon = models.CharField(
        _("compte Mastodon"),
        max_length=200,
        blank=True,
        help_text=_(
            "Pour le citer dans un remerciement : @nom@serveur (par exemple @camille@piaille.fr)."
        ),
    )
    bluesky = models.CharField(
        _("compte Bluesky"),
        max_length=200,
        blank=True,
        help_text=_("Son identifiant, par exemple camille.bsky.social."),
    )
    x = models.CharField(
        _("compte X"),
        max_length=16,
        blank=True,
        help_text=_(
            "@nom, 15 caractères au plus. LinkedIn, Facebook et Instagram ne permettent pas "
            "de citer une personne par leur API : le remerciement y donne son nom."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("class_year"),
        FieldPanel("role"),
        FieldPanel("email"),
        MultiFieldPanel(
            [FieldPanel("mastodon"), FieldPanel("bluesky"), FieldPanel("x")],
            heading=_("Comptes sur les réseaux"),
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("role"),
        index.FilterField("site"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("contributeur")
        verbose_name_plural = _("contributeurs")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.class_year_id and self.class_year.site_id != self.site_id:
            errors["class_year"] = _("Choisissez une promotion de l'association du contributeur.")
        examples = {
            "mastodon": _("@nom@serveur, par exemple @camille@piaille.fr"),
            "bluesky": _("nom.bsky.social, ou le domaine qui lui sert d'identifiant"),
            "x": _("@nom : lettres, chiffres et _, 15 caractères au plus"),
        }
        for network, example in examples.items():
            value = getattr(self, network)
            if not value:
                continue
            handle = normal_handle(network, value)
            if handle is None:
                errors[network] = _(
                    "« %(value)s » n'est pas un compte %(network)s : écrivez-le %(example)s."
                ) % {
                    "value": value,
                    "network": self._meta.get_field(network).verbose_name,
                    "example": example,
                }
            else:
                setattr(self, network, handle)
        if errors:
            raise ValidationError(errors)

    def handle(self, network: str) -> str:
        """How a post on ``network`` mentions this contributor (empty: no handle there)."""
        value = getattr(self, network, "") if network in HANDLE_FORMATS else ""
        if not value:
            return ""
        handle = normal_handle(network, value) or ""
        return f"@{handle}" if network == "bluesky" and handle else handle
