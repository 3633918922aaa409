"""The content model: a home page, one index per section, and the five kinds of items.

Every item is an :class:`ItemPage` (concrete, so that tags, class years and groups are stored
once for all kinds); each kind adds its own fields and names its section. Items live under the
index of their section. The public face of an item is its page on the static site: ``url``
points there, and previews render through the same theme (wagtail-headless-preview).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail.search import index
from wagtail.utils.decorators import cached_classmethod
from wagtail_headless_preview.models import HeadlessPreviewMixin

from cms.core.pages import slug_taken_message
from cms.core.sections import section_choices, section_label
from cms.core.validators import AddressValidator
from cms.federation.models import Association
from relais import sections

from .blocks import BodyBlock
from .forms import ItemPageForm, SectionIndexPageForm

#: The Wagtail hooks by which the apps above the content add to the edit view of every item
#: (the content imports none of them). Each ``ITEM_PANELS_HOOK`` function returns panels for the
#: item's "Réseaux sociaux" tab (in the hooks' order); each ``ITEM_FORM_HOOK`` function returns
#: a form class mixed over the item's own ``base_form_class``.
ITEM_PANELS_HOOK = "relais_item_social_panels"
ITEM_FORM_HOOK = "relais_item_form_mixin"


class HomePage(Page):
    """The root of an association's site in the CMS."""

    intro = models.TextField(_("présentation"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["content.SectionIndexPage", "members.SignUpPage", "content.InfoPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("page d'accueil")


class SectionIndexPage(Page):
    """Holds the items of one section (alumni news, career stories, ...). Each association's
    home page has at most one index per section (:meth:`section_taken`)."""

    section = models.CharField(
        _("rubrique"),
        max_length=40,
        choices=section_choices,
    )
    intro = models.TextField(_("présentation"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("section"), FieldPanel("intro")]
    base_form_class = SectionIndexPageForm
    parent_page_types = ["content.HomePage"]
    subpage_types = [
        "content.AlumniNewsPage",
        "content.CareerStoryPage",
        "content.SchoolLifePage",
        "content.EventPage",
        "content.AssociationNewsPage",
        "content.PressReviewPage",
        "surveys.SurveyPage",  # an item of the association's news (cms.surveys)
    ]

    class Meta:
        verbose_name = _("index de rubrique")
        verbose_name_plural = _("index de rubriques")

    # -- one index per section and site ----------------------------------------------------------

    @classmethod
    def of(cls, home: Page | Site, section: str) -> SectionIndexPage | None:
        """The index of ``section`` on a site (its home page, or the ``Site``)."""
        home = home.root_page if isinstance(home, Site) else home
        return cls.objects.child_of(home).filter(section=section).first()

    @classmethod
    def section_taken(
        cls, parent: Page | None, section: str, page: Page | None = None
    ) -> ValidationError | None:
        """The error to show when ``parent`` (a home page) already has an index of ``section``
        other than ``page``; ``None`` when the section is free there."""
        if parent is None or not section:
            return None
        others = cls.objects.child_of(parent).filter(section=section)
        if page is not None and page.pk:
            others = others.exclude(pk=page.pk)
        other = others.first()
        if other is None:
            return None
        return ValidationError(
            {
                "section": _(
                    "Ce site a déjà un index pour la rubrique « %(section)s » : « %(title)s ». "
                    "Choisissez une autre rubrique, ou placez les articles dans cet index."
                )
                % {"section": section_label(section), "title": other.title}
            }
        )

    def clean(self) -> None:
        super().clean()
        error = self.section_taken(self.get_parent() if self.path else None, self.section, self)
        if error is not None:
            raise error


class InfoPage(Page):
    """A page outside the sections: about, legal notice, privacy policy."""

    body = StreamField(BodyBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["content.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("page d'information")

    def clean(self) -> None:
        super().clean()
        taken = slug_taken_message(self.slug)
        if taken:
            raise ValidationError({"slug": taken})


class ItemTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.ItemPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ItemPage(HeadlessPreviewMixin, Page):
    """What every item has. Subclasses set ``section`` and may add fields and panels."""

    section: sections.Section  # set by each kind of item

    summary = models.TextField(
        _("chapeau"),
        max_length=400,
        help_text=_(
            "Deux ou trois phrases : elles servent d'extrait sur le site, dans les flux et "
            "sur les réseaux sociaux."
        ),
    )
    body = StreamField(BodyBlock(), verbose_name=_("corps"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image principale"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_alt = models.CharField(
        _("texte alternatif de l'image"),
        max_length=250,
        blank=True,
        help_text=_("Obligatoire avec une image : décrivez-la pour qui ne la voit pas."),
    )
    hero_caption = models.CharField(_("légende de l'image"), max_length=250, blank=True)
    tags = ClusterTaggableManager(through=ItemTag, blank=True, verbose_name=_("thèmes"))
    class_years = ParentalManyToManyField(
        "taxonomy.ClassYear", blank=True, verbose_name=_("promotions"), related_name="items"
    )
    groups = ParentalManyToManyField(
        "taxonomy.Group", blank=True, verbose_name=_("groupes"), related_name="items"
    )
    contributors = ParentalManyToManyField(
        "taxonomy.Contributor", blank=True, verbose_name=_("contributeurs"), related_name="items"
    )
    canonical_url = models.CharField(
        _("adresse canonique"),
        max_length=500,
        blank=True,
        validators=[AddressValidator()],
        help_text=_(
            "L'adresse de l'original quand l'article a d'abord été publié ailleurs (article "
            "mutualisé adopté) ; vide : l'adresse de l'article sur ce site."
        ),
    )
    social_texts = models.JSONField(
        _("textes pour les réseaux"),
        default=dict,
        blank=True,
        help_text=_(
            "Par réseau : le texte de l'éditeur à la place du texte composé, et l'heure "
            "de publication."
        ),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_alt"), FieldPanel("hero_caption")],
            heading=_("Image principale"),
        ),
        FieldPanel("body"),
    ]
    taxonomy_panels = [
        MultiFieldPanel(
            [
                FieldPanel("tags"),
                FieldPanel("class_years"),
                FieldPanel("groups"),
                FieldPanel("contributors"),
            ],
            heading=_("Classement et crédits"),
        )
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("canonical_url")]
    base_form_class = ItemPageForm
    parent_page_types = ["content.SectionIndexPage"]
    subpage_types: list[str] = []
    is_creatable = False

    class Meta:
        verbose_name = _("article")

    @cached_classmethod
    def get_edit_handler(cls) -> TabbedInterface:
        """Wagtail's tabs (with Wagtail's own translated headings), plus "Réseaux sociaux" with
        the panels of the apps above (``ITEM_PANELS_HOOK``), on the item's form with their parts
        mixed in (``ITEM_FORM_HOOK``)."""
        tabs = [ObjectList(cls.content_panels, heading=_("Content"))]
        if cls.promote_panels:
            tabs.append(ObjectList(cls.promote_panels, heading=_("Promote")))
        if cls.settings_panels:
            tabs.append(ObjectList(cls.settings_panels, heading=_("Settings")))
        social = [panel for hook in hooks.get_hooks(ITEM_PANELS_HOOK) for panel in hook()]
        if social:
            tabs.append(ObjectList(social, heading=_("Réseaux sociaux")))
        mixins = tuple(hook() for hook in hooks.get_hooks(ITEM_FORM_HOOK))
        form_class = cls.base_form_class
        if mixins:
            form_class = type(f"{cls.__name__}Form", (*mixins, form_class), {})
        return TabbedInterface(tabs, base_form_class=form_class).bind_to_model(cls)

    @classmethod
    def can_create_at(cls, parent: Page) -> bool:
        """Items go under the index of their own section only."""
        if not super().can_create_at(parent):
            return False
        parent = parent.specific
        return isinstance(parent, SectionIndexPage) and parent.section == cls.section.key

    def clean(self) -> None:
        super().clean()
        if self.hero_image_id and not self.hero_alt.strip():
            raise ValidationError(
                {
                    "hero_alt": _(
                        "Décrivez l'image principale : ce texte est lu aux personnes "
                        "aveugles et affiché si l'image ne charge pas."
                    )
                }
            )

    # -- the public face of an item is its page on the static site ---------------------------

    @property
    def section_key(self) -> str:
        return self.specific_class.section.key

    @property
    def static_path(self) -> str:
        return f"/{self.section_key}/{self.slug}/"

    @property
    def association(self) -> Association:
        """The association whose site the item is on (a draft not yet in the tree: its
        parent's). Wagtail's own URL parts name the site (``get_site`` would come back here)."""
        anchor = self if self.pk else self.get_parent()
        parts = Page.get_url_parts(anchor) if anchor is not None else None
        if parts is None:
            raise LookupError(
                f"The item {self.title!r} is under no site's home page: move it under the home "
                "page of its association."
            )
        return Association.for_site(parts[0])

    @property
    def static_url(self) -> str:
        return self.association.public_url + self.static_path

    def get_url_parts(self, request: Any = None) -> tuple[Any, str, str] | None:
        parts = super().get_url_parts(request)
        if parts is None:
            return None
        return parts[0], Association.for_site(parts[0]).public_url, self.static_path

    def export_addendum(self) -> str:
        """Markdown that the exported file adds after the body (a survey's link to answer);
        nothing for most kinds of item."""
        return ""

    def get_client_root_url(self, request: Any) -> str:
        """Previews are rendered by the CMS itself (the request Wagtail passes here is a dummy
        one addressed to the static site, so the admin's own address comes from settings)."""
        return settings.WAGTAILADMIN_BASE_URL + reverse("relais_preview")


def _item_panels(*extra: Any) -> list[Any]:
    return [*ItemPage.content_panels, *extra, *ItemPage.taxonomy_panels]


class AlumniNewsPage(ItemPage):
    """News about graduates: appointments, awards, companies founded."""

    section = sections.NEWS
    content_panels = _item_panels()
    parent_page_types = ["content.SectionIndexPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("actualité des alumni")
        verbose_name_plural = _("actualités des alumni")


class CareerStoryPage(ItemPage):
    """A graduate tells their career."""

    class Sector(models.TextChoices):
        ENERGY = "energie", _("Énergie")
        INDUSTRY = "industrie", _("Industrie")
        DIGITAL = "numerique", _("Numérique")
        TRANSPORT = "transport", _("Transports et mobilité")
        CONSTRUCTION = "construction", _("Construction et ville")
        HEALTH = "sante", _("Santé")
        FINANCE = "finance", _("Banque, finance, assurance")
        CONSULTING = "conseil", _("Conseil")
        RESEARCH = "recherche", _("Recherche et enseignement")
        PUBLIC = "public", _("Service public")
        ENTREPRENEURSHIP = "entrepreneuriat", _("Entrepreneuriat")
        OTHER = "autre", _("Autre")

    section = sections.CAREERS
    alumnus_name = models.CharField(_("diplômé·e"), max_length=150)
    alumnus_class_year = models.ForeignKey(
        "taxonomy.ClassYear",
        verbose_name=_("promotion du diplômé"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="career_stories",
    )
    position = models.CharField(_("poste"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    sector = models.CharField(_("secteur"), max_length=30, choices=Sector.choices, blank=True)

    content_panels = _item_panels(
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("alumnus_name"), FieldPanel("alumnus_class_year")]),
                FieldRowPanel([FieldPanel("position"), FieldPanel("organisation")]),
                FieldPanel("sector"),
            ],
            heading=_("Portrait"),
        )
    )
    parent_page_types = ["content.SectionIndexPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")


class SchoolLifePage(ItemPage):
    """Life on campus: student projects, research, student associations."""

    section = sections.SCHOOL_LIFE
    content_panels = _item_panels()
    parent_page_types = ["content.SectionIndexPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("vie de l'école")
        verbose_name_plural = _("vie de l'école")


class EventPage(ItemPage):
    """An event of a class year or a group; the site adds an iCalendar file."""

    section = sections.EVENTS
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"), null=True, blank=True)
    location = models.CharField(_("lieu"), max_length=250, blank=True)
    organiser_class_year = models.ForeignKey(
        "taxonomy.ClassYear",
        verbose_name=_("promotion organisatrice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    organiser_group = models.ForeignKey(
        "taxonomy.Group",
        verbose_name=_("groupe organisateur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    registration_url = models.CharField(
        _("lien d'inscription"),
        max_length=500,
        blank=True,
        validators=[AddressValidator(mailto=True)],
        help_text=_(
            "L'adresse de la page d'inscription (https://…), ou mailto: suivi d'une adresse e-mail."
        ),
    )

    content_panels = _item_panels(
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("location"),
                FieldRowPanel([FieldPanel("organiser_class_year"), FieldPanel("organiser_group")]),
                FieldPanel("registration_url"),
            ],
            heading=_("Date et lieu"),
        )
    )
    parent_page_types = ["content.SectionIndexPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def clean(self) -> None:
        super().clean()
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("L'événement se termine avant de commencer.")})

    @property
    def organiser(self) -> str:
        if self.organiser_group_id:
            return str(self.organiser_group)
        if self.organiser_class_year_id:
            return f"Promotion {self.organiser_class_year}"
        return ""


class AssociationNewsPage(ItemPage):
    """News of the association itself: general assembly, board, services to members."""

    section = sections.ASSOCIATION
    content_panels = _item_panels()
    parent_page_types = ["content.SectionIndexPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("vie de l'association")
        verbose_name_plural = _("vie de l'association")


class PressReviewPage(ItemPage):
    """A press review: articles found by the association's watch, each credited and linked
    (composed from the kept entries by ``cms.watch``, then written and published as any item
    of the alumni news)."""

    section = sections.NEWS
    content_panels = _item_panels()
    parent_page_types = ["content.SectionIndexPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("revue de presse")
        verbose_name_plural = _("revues de presse")


#: The kind of item of each section (the one made for it by default).
ITEM_MODELS: dict[str, type[ItemPage]] = {
    m.section.key: m
    for m in (AlumniNewsPage, CareerStoryPage, SchoolLifePage, EventPage, AssociationNewsPage)
}
#: Every kind of item, including those that share a section with another.
ITEM_PAGE_TYPES: tuple[type[ItemPage], ...] = (*ITEM_MODELS.values(), PressReviewPage)
