"""The associations of an installation, and the federation they belong to.

One Relais installation serves a federation of associations (IESF in France federates more
than 180 associations through 25 regional unions). Each association is one Wagtail ``Site``
with its own domain, pages, settings, network accounts, sign-ups and statistics; an
:class:`Association` row says what that site is in the federation:

- its **kind**: the federation itself, a regional union, or an association of graduates;
- its **parent**: the union (or the federation) it belongs to, so that the federation and a
  union can share items with the associations below them;
- its **folders**: the association's content files are in ``content/<folder>/`` and its
  static site in ``site/<folder>/output`` (an installation that was one association before it
  became a federation keeps ``content/`` and ``site/output`` for that first one: ``folder`` is
  empty);
- its **public address**: where its static site is served;
- its **sectors of activity**, from the federation-wide list (:class:`Sector`), by which
  pooled items are offered;
- its **groups**: administrators, editors and moderators; whoever is in one of them works on
  this association's site, and on it only (:mod:`cms.federation.scope`), with rights on its
  home page and its **collection** of images and documents only (:mod:`cms.federation.roles`).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, Site
from wagtail.search import index

from relais.buildconfig import SitePaths
from relais.sections import SECTIONS

#: Names a folder cannot take: they are folders of the content format itself.
RESERVED_FOLDERS = {*SECTIONS, "pages", "media", "theme", "feeds", "tags", "builds", "cache"}


class Sector(index.Indexed, models.Model):
    """A sector of activity, common to the whole federation (energy, digital, health…)."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("secteur d'activité")
        verbose_name_plural = _("secteurs d'activité")

    def __str__(self) -> str:
        return self.name


class Association(models.Model):
    class Kind(models.TextChoices):
        FEDERATION = "federation", _("fédération")
        UNION = "union", _("union régionale")
        ASSOCIATION = "association", _("association")

    site = models.OneToOneField(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="association"
    )
    slug = models.SlugField(
        _("identifiant"),
        max_length=60,
        unique=True,
        help_text=_("Court et stable : il nomme les dossiers de l'association."),
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=Kind.choices, default=Kind.ASSOCIATION
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("rattachée à"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text=_("L'union régionale ou la fédération dont l'association fait partie."),
    )
    folder = models.CharField(
        _("dossier"),
        max_length=60,
        blank=True,
        help_text=_(
            "Le dossier de ses fichiers dans content/ et site/ ; vide : content/ et site/output "
            "eux-mêmes (la première association d'une installation)."
        ),
    )
    site_url = models.URLField(
        _("adresse du site public"),
        blank=True,
        help_text=_(
            "Vide : RELAIS_SITE_URL suivi du dossier de l'association (RELAIS_SITE_URL seul pour "
            "la première association d'une installation)."
        ),
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("secteurs d'activité"), blank=True, related_name="associations"
    )
    administrators = models.ForeignKey(
        Group,
        verbose_name=_("groupe des administrateurs"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    editors = models.ForeignKey(
        Group,
        verbose_name=_("groupe des rédacteurs"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderators = models.ForeignKey(
        Group,
        verbose_name=_("groupe des modérateurs"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    collection = models.ForeignKey(
        "wagtailcore.Collection",
        verbose_name=_("collection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Où vont ses images et ses documents ; ses groupes n'ont de droits que là."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["site__site_name", "slug"]
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        constraints = [
            models.UniqueConstraint(fields=["folder"], name="federation_one_association_per_folder")
        ]

    def __str__(self) -> str:
        return self.site.site_name or self.slug

    def clean(self) -> None:
        if self.folder in RESERVED_FOLDERS:
            raise ValidationError(
                {
                    "folder": _(
                        "« %(folder)s » est un dossier du format de contenu : choisissez un "
                        "autre nom."
                    )
                    % {"folder": self.folder}
                }
            )

    # -- where its files are --------------------------------------------------------------

    @property
    def content_dir(self) -> Path:
        base = Path(settings.RELAIS_CONTENT_DIR)
        return base / self.folder if self.folder else base

    @property
    def output_dir(self) -> Path:
        base = Path(settings.RELAIS_SITE_OUTPUT)
        return base.parent / self.folder / base.name if self.folder else base

    @property
    def paths(self) -> SitePaths:
        return SitePaths.at(self.content_dir, self.output_dir)

    @property
    def public_url(self) -> str:
        """The address of its static site, without the final slash: its own, or the
        installation's static address followed by its folder (one web server for all)."""
        if self.site_url:
            return self.site_url.rstrip("/")
        base = settings.RELAIS_SITE_URL.rstrip("/")
        return f"{base}/{self.folder}" if self.folder else base

    @property
    def counter_url(self) -> str:
        """The address of its site's audience counter on the CMS (:mod:`cms.audience`):
        ``/c/p.gif`` for the installation's first association (the address its pages always
        loaded), ``/c/<slug>/p.gif`` for the others."""
        if self.folder:
            path = reverse("audience:association_pixel", kwargs={"slug": self.slug})
        else:
            path = reverse("audience:pixel")
        return settings.WAGTAILADMIN_BASE_URL + path

    @property
    def groups(self) -> list[Group]:
        return [g for g in (self.administrators, self.editors, self.moderators) if g]

    # -- finding it -----------------------------------------------------------------------

    @classmethod
    def for_site(cls, site: Site | int) -> Association:
        """The association of ``site``; a site without one becomes one: the first association
        of an installation has the root folders (``content/``, ``site/output``), the others a
        folder of their own."""
        site_id = site if isinstance(site, int) else site.pk
        found = cls.objects.select_related("site").filter(site_id=site_id).first()
        if found is not None:
            return found
        site = site if isinstance(site, Site) else Site.objects.get(pk=site_id)
        slug = unique_slug(site.site_name or site.hostname)
        root_taken = cls.objects.filter(folder="").exists()
        return cls.objects.create(site=site, slug=slug, folder=slug if root_taken else "")

    @classmethod
    def for_page(cls, page: Page) -> Association:
        site = page.get_site()
        if site is None:
            raise LookupError(
                f"The page {page.pk} is not under any site's home page: move it under the home "
                "page of its association."
            )
        return cls.for_site(site)


def default_site_id() -> int | None:
    """The installation's default site (its first association): where the rows of an
    association's own data go when nothing says which association they are of (the rows made
    before the federation, in the migrations that give them a site)."""
    return Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "association"
    if base in RESERVED_FOLDERS:
        base = f"{base}-site"
    slug, n = base, 2
    while Association.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
