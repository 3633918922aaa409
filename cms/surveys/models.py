"""Surveys ("Enquêtes"): an item of the association's site built on Wagtail's form builder.

- :class:`SurveyPage`: an item (its invitation is exported, syndicated and sent by e-mail like
  any item) whose questions are :class:`SurveyQuestion` rows of Wagtail's form builder, with an
  opening and a closing date, "réservé aux adhérents" (answers through personal token links
  only) or open, and the threshold under which the results article shows no category.
- :class:`SurveyAnswer`: one answer, a Wagtail form submission that holds nothing about the
  person: no name, no address, no IP, no token; it is dated to the day only, so that not even
  the invitations' ledger can tell whose answer it is.
- :class:`SurveyInvitation`: one survey sent to one subscriber of the news, with the personal
  token of the link and the ledger's state (the newsletter's states, see
  :mod:`cms.surveys.invitations`); ``answered_on`` is set when the token is used, once.
- :class:`SurveyReminder`: the one reminder of an invitation not answered, with the same
  ledger's states (see :mod:`cms.surveys.reminders`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractFormField, AbstractFormSubmission, FormMixin

from cms.content.models import ItemPage
from cms.newsletter.models import DigestDelivery, new_token
from relais import sections

from .forms import SurveyFormBuilder, SurveyPageForm

#: The kinds of question: the first five are counted and drawn, the last two are free text.
QUESTION_TYPES = [
    ("radio", _("Choix unique")),
    ("checkboxes", _("Choix multiples (cases à cocher)")),
    ("dropdown", _("Liste déroulante")),
    ("scale5", _("Échelle de 1 à 5")),
    ("scale10", _("Échelle de 1 à 10")),
    ("singleline", _("Texte court")),
    ("multiline", _("Texte libre")),
]
SCALES = {"scale5": 5, "scale10": 10}
CHOICE_TYPES = {"radio", "checkboxes", "dropdown"}
TEXT_TYPES = {"singleline", "multiline"}


class SurveyQuestion(AbstractFormField):
    """A question of a survey (Wagtail's form field, with the survey's kinds of question)."""

    page = ParentalKey("SurveyPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(_("type de question"), max_length=16, choices=QUESTION_TYPES)
    field_type.required_on_save = True  # as Wagtail's own field: previews build the question

    class Meta(AbstractFormField.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    @property
    def counted(self) -> bool:
        """Whether its answers are counted per category (choices, scales)."""
        return self.field_type in CHOICE_TYPES or self.field_type in SCALES

    def categories(self) -> list[str]:
        """The categories its answers are counted in, in the order the form shows them."""
        if self.field_type in SCALES:
            return [str(i) for i in range(1, SCALES[self.field_type] + 1)]
        if self.field_type in CHOICE_TYPES:
            return [label for label, _value in SurveyFormBuilder.choices_of(self)]
        return []


def today_start() -> dt.datetime:
    """Midnight of today (local time): answers are dated to the day, never to the minute."""
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class SurveyAnswer(AbstractFormSubmission):
    """One answer: the form's data and its day, nothing else."""

    submit_time = models.DateTimeField(_("jour de la réponse"), default=today_start)

    class Meta:
        verbose_name = _("réponse à une enquête")
        verbose_name_plural = _("réponses aux enquêtes")
        ordering = ["pk"]


class SurveyPage(ItemPage, FormMixin):
    """An item of the association's news whose page on the site invites to answer (the link
    goes to the form on the CMS, like the sign-up page)."""

    section = sections.ASSOCIATION
    form_builder = SurveyFormBuilder
    # submissions_list_view_class: set when the app is ready (Wagtail's listing views cannot be
    # imported while models load), see cms.surveys.apps

    opens_at = models.DateTimeField(
        _("ouverture"),
        null=True,
        blank=True,
        help_text=_("Vide : ouverte dès sa publication."),
    )
    closes_at = models.DateTimeField(
        _("clôture"),
        null=True,
        blank=True,
        help_text=_("Après cette date, le formulaire indique que l'enquête est close."),
    )
    members_only = models.BooleanField(
        _("réservé aux adhérents"),
        default=True,
        help_text=_(
            "Coché : on ne répond que par le lien personnel reçu par e-mail, une fois par "
            "lien. Décoché : enquête ouverte et anonyme, une réponse par navigateur."
        ),
    )
    threshold = models.PositiveSmallIntegerField(
        _("seuil de diffusion"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "L'article de résultats ne montre aucune catégorie ayant moins de réponses que "
            "ce nombre : elles sont regroupées dans « Autres réponses » ou masquées."
        ),
    )
    remind_days = models.PositiveSmallIntegerField(
        _("relance (jours avant la clôture)"),
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "Les adhérents invités qui n'ont pas répondu reçoivent un seul rappel, avec le même "
            "lien, ce nombre de jours avant la clôture. Vide, ou sans date de clôture : aucun "
            "rappel."
        ),
    )
    thank_you_text = models.TextField(
        _("remerciement"),
        blank=True,
        help_text=_("Affiché après l'envoi des réponses."),
    )

    content_panels = [
        *ItemPage.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel([FieldPanel("members_only"), FieldPanel("threshold")]),
                FieldPanel("remind_days"),
            ],
            heading=_("Enquête"),
        ),
        InlinePanel("form_fields", label=_("Questions"), min_num=1),
        FieldPanel("thank_you_text"),
        *ItemPage.taxonomy_panels,
    ]
    base_form_class = SurveyPageForm
    parent_page_types = ["content.SectionIndexPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("enquête")
        verbose_name_plural = _("enquêtes")

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {
                    "closes_at": _(
                        "La clôture doit venir après l'ouverture : changez l'une des deux."
                    )
                }
            )

    # -- Wagtail's form builder ------------------------------------------------------------------

    def get_submission_class(self) -> type[SurveyAnswer]:
        return SurveyAnswer

    def process_form_submission(self, form: Any) -> SurveyAnswer:
        return SurveyAnswer.objects.create(form_data=form.cleaned_data, page=self)

    # -- open or closed ----------------------------------------------------------------------

    def state(self, now: dt.datetime | None = None) -> str:
        """``"not_yet"``, ``"open"`` or ``"closed"``."""
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return "not_yet"
        if self.closes_at and now >= self.closes_at:
            return "closed"
        return "open"

    def remind_at(self) -> dt.datetime | None:
        """When the reminders leave: ``remind_days`` before the closing; ``None`` when the
        survey has no reminder (open to all, no closing date, or no number of days)."""
        if not self.members_only or not self.closes_at or not self.remind_days:
            return None
        return self.closes_at - dt.timedelta(days=self.remind_days)

    # -- the invitation on the site ------------------------------------------------------------

    def answer_url(self, token: str = "") -> str:
        """The address of the form, on the CMS (with a personal token: that person's link)."""
        args = [self.pk, token] if token else [self.pk]
        name = "surveys:answer_token" if token else "surveys:answer"
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(name, args=args)

    def export_addendum(self) -> str:
        """The invitation's end on the site: until when one may answer, and the link."""
        lines = []
        if self.closes_at:
            closes = formats.date_format(timezone.localtime(self.closes_at), "j F Y à H:i")
            lines.append(_("Vous pouvez répondre jusqu'au %(date)s.") % {"date": closes})
        if self.members_only:
            lines.append(
                _(
                    "Cette enquête est réservée aux adhérents : chacun a reçu par e-mail son "
                    "lien personnel."
                )
            )
        else:
            lines.append(_("L'enquête est anonyme : aucune donnée personnelle n'est enregistrée."))
        url = self.answer_url() if self.pk else "#"  # the preview of a survey not saved yet
        lines.append(f"[{_('Répondre à l’enquête')}]({url})")
        return "\n\n".join(str(line) for line in lines)


class SurveyInvitation(models.Model):
    """One survey sent to one subscriber: the personal token and the sending's ledger."""

    State = DigestDelivery.State

    survey = models.ForeignKey(
        SurveyPage, verbose_name=_("enquête"), on_delete=models.CASCADE, related_name="invitations"
    )
    subscriber = models.ForeignKey(
        "newsletter.Subscriber",
        verbose_name=_("abonné·e"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempted_at = models.DateTimeField(_("tenté le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    message_id = models.CharField(_("identifiant du message"), max_length=250, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    reason = models.TextField(_("raison"), blank=True)
    answered_on = models.DateField(_("a répondu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation à une enquête")
        verbose_name_plural = _("invitations aux enquêtes")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "subscriber"], name="surveys_one_invitation_per_subscriber"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.subscriber_id}: {self.state}"


class SurveyReminder(models.Model):
    """The one reminder of one invitation: the same token link, and the sending's ledger (one row
    per invitation at most, claimed before its mail leaves)."""

    State = DigestDelivery.State

    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="reminder",
    )
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempted_at = models.DateTimeField(_("tenté le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    message_id = models.CharField(_("identifiant du message"), max_length=250, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    reason = models.TextField(_("raison"), blank=True)

    class Meta:
        verbose_name = _("rappel d'une enquête")
        verbose_name_plural = _("rappels des enquêtes")

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.state}"
