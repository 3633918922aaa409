"""The discussion's admin form: the networks to send to, among those the association has."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from cms.social.models import NETWORK_CHOICES


class DiscussionForm(WagtailAdminModelForm):
    networks = forms.MultipleChoiceField(
        label=_("réseaux"),
        choices=NETWORK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Où envoyer la discussion, parmi les comptes connectés de l'association "
            "(Paramètres → Réseaux) ; vous relirez le texte de chaque réseau avant l'envoi."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk and self.instance.is_sent:
            raise ValidationError(
                _(
                    "Cette discussion est déjà partie sur les réseaux : elle ne peut plus être "
                    "modifiée. Lancez-en une nouvelle."
                )
            )
        return data
