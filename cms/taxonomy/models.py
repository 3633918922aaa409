"""Who and what items are about: class years (promotions), groups, contributors.

They are snippets: editors manage them once and pick them on each item.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class ClassYear(index.Indexed, models.Model):
    """A promotion: the engineers who graduated the same year."""

    year = models.PositiveSmallIntegerField(
        _("année"),
        unique=True,
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
    search_fields = [index.SearchField("name"), index.FilterField("year")]

    class Meta:
        ordering = ["-year"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")

    def __str__(self) -> str:
        return str(self.year)

    @property
    def display_name(self) -> str:
        return f"{self.year} — {self.name}" if self.name else str(self.year)


class Group(index.Indexed, models.Model):
    """A regional group, a club or a professional group of the association."""

    class Kind(models.TextChoices):
        REGIONAL = "regional", _("Groupe régional")
        INTERNATIONAL = "international", _("Groupe international")
        PROFESSIONAL = "professional", _("Groupe professionnel")
        CLUB = "club", _("Club")

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.REGIONAL)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.SearchField("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("groupe")
        verbose_name_plural = _("groupes")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        super().save(*args, **kwargs)


class Contributor(index.Indexed, models.Model):
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

    panels = [FieldPanel("name"), FieldPanel("class_year"), FieldPanel("role"), FieldPanel("email")]
    search_fields = [index.SearchField("name"), index.SearchField("role")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("contributeur")
        verbose_name_plural = _("contributeurs")

    def __str__(self) -> str:
        return self.name
