"""The sign-up page ("Adhérer") that every page of the static site links to, and the sign-ups
it records.

What a sign-up stores (:class:`Signup`): what the person typed (name, e-mail, school, class
year, what they want, answers to the page's additional questions), the consent they gave (the
exact text and when), and the attribution the form arrived with — first and last touch, each
made of the ``utm_*`` values, the item, the network, the referring *host* (never the full
address) and the day (see :mod:`cms.members.attribution`). No IP address, no user agent.
A person's data is deleted on request from the admin (see :mod:`cms.members.erasure`); only an
anonymous count of deletions per month remains (:class:`ErasureTally`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms.federation.models import Association, default_site_id

from .forms import DEFAULT_CONSENT, signup_form_class
from .signups import create_signup
from .views import render_form, serve_signup_page


def site_id_of(page: Page | None) -> int | None:
    """The site of a sign-up page (the default site's when there is no page, or the page is
    under no site): the association a sign-up belongs to."""
    site = page.get_site() if page is not None else None
    return site.pk if site is not None else default_site_id()


class SignUpFormField(AbstractFormField):
    """An additional question of the sign-up page, asked after the fixed fields."""

    page = ParentalKey("SignUpPage", on_delete=models.CASCADE, related_name="form_fields")


class SignUpPage(AbstractEmailForm):
    """The fixed fields (name, e-mail, school, class year, wishes, consent) are asked by every
    sign-up page; editors may add questions of their own. Sign-ups are stored as
    :class:`Signup` rows (not as Wagtail form submissions) and the e-mails are queued."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    thank_you_text = RichTextField(
        _("remerciement"), blank=True, features=["bold", "italic", "link"]
    )
    schools = models.TextField(
        _("écoles"),
        blank=True,
        help_text=_(
            "Une école par ligne : la personne choisit la sienne dans une liste. Laissez "
            "vide pour un champ libre."
        ),
    )
    consent_text = models.TextField(
        _("texte du consentement"),
        blank=True,
        help_text=format_lazy(
            _("Ce que la personne accepte, en mots simples. Vide : « {} »"), DEFAULT_CONSENT
        ),
    )
    privacy_page = models.ForeignKey(
        "content.InfoPage",
        verbose_name=_("page « données personnelles »"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Liée depuis la case de consentement : la page du site qui explique l'usage "
            "des données et comment en demander la suppression."
        ),
    )

    content_panels = [
        *AbstractEmailForm.content_panels,
        FieldPanel("intro"),
        FieldPanel("schools"),
        MultiFieldPanel(
            [FieldPanel("consent_text"), FieldPanel("privacy_page")],
            heading=_("Consentement (RGPD)"),
        ),
        InlinePanel("form_fields", label=_("Questions supplémentaires (facultatif)")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mails"),
            help_text=_(
                "« Expéditeur » signe l'accusé de réception envoyé à la personne ; "
                "« destinataires » reçoivent chaque nouvelle demande (à défaut, "
                "l'e-mail de contact de l'association)."
            ),
        ),
    ]
    parent_page_types = ["content.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1  # one per association: under its home page

    class Meta:
        verbose_name = _("page d'adhésion")

    def clean(self) -> None:
        super().clean()
        home = self.get_parent() if self.path else None
        if home is not None and self.privacy_page_id:
            if not self.privacy_page.path.startswith(home.path):
                raise ValidationError(
                    {
                        "privacy_page": _(
                            "Cette page est sur le site d'une autre association : choisissez la "
                            "page « données personnelles » de ce site."
                        )
                    }
                )

    # -- the public form ------------------------------------------------------------------------

    def school_choices(self) -> list[str]:
        return [line.strip() for line in self.schools.splitlines() if line.strip()]

    def privacy_url(self) -> str:
        """The privacy page on the association's static site."""
        if self.privacy_page_id and self.privacy_page.live:
            return f"{Association.for_page(self).public_url}/{self.privacy_page.slug}/"
        return ""

    def get_form_class(self):
        return signup_form_class(self)

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return serve_signup_page(self, request)

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        if mode_name == "landing":
            return self.render_landing_page(request)
        return render_form(self, request, self.get_form_class()())

    def process_form_submission(self, form: Any) -> Signup:
        return create_signup(self, form)


class Signup(models.Model):
    #: How a sign-up belongs to an association (:func:`cms.federation.scope.scoped_objects`).
    site_path = "site"

    class Status(models.TextChoices):
        NEW = "new", _("nouvelle")
        IN_PROGRESS = "in_progress", _("en cours")
        DONE = "done", _("traitée")
        DECLINED = "declined", _("sans suite")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        help_text=_("L'association qui l'a reçue : celle de la page d'adhésion."),
    )
    page = models.ForeignKey(
        SignUpPage,
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signups",
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    name = models.CharField(_("nom et prénom"), max_length=150)
    email = models.EmailField(_("e-mail"), db_index=True)
    school = models.CharField(_("école"), max_length=150, blank=True)
    class_year = models.PositiveSmallIntegerField(
        _("promotion"), null=True, blank=True, db_index=True
    )
    wants_membership = models.BooleanField(_("veut adhérer"), default=False)
    wants_ambassador = models.BooleanField(_("veut devenir ambassadeur·rice"), default=False)
    wants_news = models.BooleanField(_("veut recevoir les nouvelles"), default=False)
    answers = models.JSONField(
        _("réponses aux questions supplémentaires"), default=dict, blank=True
    )
    consent_text = models.TextField(_("consentement donné"))
    consented_at = models.DateTimeField(_("consentement donné le"))
    notes = models.TextField(_("notes internes"), blank=True)

    # First touch: what brought the person to the form the first time
    first_network = models.CharField(
        _("réseau (premier contact)"), max_length=40, blank=True, db_index=True
    )
    first_source = models.CharField(_("utm_source (premier contact)"), max_length=100, blank=True)
    first_medium = models.CharField(_("utm_medium (premier contact)"), max_length=100, blank=True)
    first_campaign = models.CharField(
        _("utm_campaign (premier contact)"), max_length=100, blank=True
    )
    first_content = models.CharField(_("utm_content (premier contact)"), max_length=100, blank=True)
    first_item = models.CharField(_("contenu (premier contact)"), max_length=150, blank=True)
    first_referrer = models.CharField(
        _("site référent (premier contact)"), max_length=253, blank=True
    )
    first_day = models.DateField(_("jour du premier contact"), null=True, blank=True)
    # Last touch: the visit that ended with the sign-up
    last_network = models.CharField(_("réseau"), max_length=40, blank=True, db_index=True)
    last_source = models.CharField(_("utm_source"), max_length=100, blank=True)
    last_medium = models.CharField(_("utm_medium"), max_length=100, blank=True)
    last_campaign = models.CharField(_("utm_campaign"), max_length=100, blank=True)
    last_content = models.CharField(_("utm_content"), max_length=100, blank=True)
    last_item = models.CharField(_("contenu d'origine"), max_length=150, blank=True, db_index=True)
    last_referrer = models.CharField(_("site référent"), max_length=253, blank=True)
    last_day = models.DateField(_("jour du dernier contact"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.site_id is None:
            self.site_id = site_id_of(self.page)
        super().save(*args, **kwargs)

    def wishes(self) -> list[str]:
        return [
            str(label)
            for flag, label in (
                (self.wants_membership, _("adhérer")),
                (self.wants_ambassador, _("devenir ambassadeur·rice")),
                (self.wants_news, _("recevoir les nouvelles")),
            )
            if flag
        ]

    wishes.short_description = _("souhaits")  # type: ignore[attr-defined]


class ErasureTally(models.Model):
    """Deletions of personal data made on request, counted per association and month —
    nothing else."""

    site_path = "site"

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("mois"))
    requests = models.PositiveIntegerField(_("demandes de suppression"), default=0)
    records = models.PositiveIntegerField(_("enregistrements supprimés"), default=0)

    class Meta:
        verbose_name = _("suppressions sur demande")
        verbose_name_plural = _("suppressions sur demande")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="members_one_tally_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.requests}"
