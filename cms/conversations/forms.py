"""The desk's forms: the listing's filters, the answer box, the assignment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from cms.social.models import NETWORK_CHOICES

from .models import IncomingMessage
from .people import display_name

UNASSIGNED = "none"


class DeskFilterForm(forms.Form):
    """Filters by network, item, state and assignee; the choices are those of the chosen
    association's messages and people."""

    network = forms.ChoiceField(label=_("Réseau"), required=False)
    item = forms.ChoiceField(label=_("Article"), required=False)
    state = forms.ChoiceField(label=_("État"), required=False)
    assignee = forms.ChoiceField(label=_("Attribué à"), required=False)
    questions = forms.BooleanField(label=_("Questions seulement"), required=False)

    def __init__(self, data: Any, messages: QuerySet[IncomingMessage], people: QuerySet[Any]):
        super().__init__(data)
        self.fields["network"].choices = [("", _("Tous")), *NETWORK_CHOICES]
        page_ids = (
            messages.exclude(delivery__page=None)
            .values_list("delivery__page_id", flat=True)
            .distinct()
        )
        pages = Page.objects.filter(pk__in=list(page_ids)).order_by("title")
        self.fields["item"].choices = [("", _("Tous"))] + [(str(p.pk), p.title) for p in pages]
        self.fields["state"].choices = [
            ("", _("À traiter (nouveaux et attribués)")),
            ("all", _("Tous")),
            *IncomingMessage.State.choices,
        ]
        self.fields["assignee"].choices = [
            ("", _("Tout le monde")),
            (UNASSIGNED, _("Personne")),
        ] + [(str(u.pk), display_name(u)) for u in people]

    def apply(self, messages: QuerySet[IncomingMessage]) -> QuerySet[IncomingMessage]:
        if not self.is_valid():
            return messages.filter(
                state__in=[IncomingMessage.State.NEW, IncomingMessage.State.ASSIGNED]
            )
        data = self.cleaned_data
        if data["network"]:
            messages = messages.filter(network=data["network"])
        if data["item"]:
            messages = messages.filter(delivery__page_id=int(data["item"]))
        state = data["state"]
        if not state:
            messages = messages.filter(
                state__in=[IncomingMessage.State.NEW, IncomingMessage.State.ASSIGNED]
            )
        elif state != "all":
            messages = messages.filter(state=state)
        if data["assignee"] == UNASSIGNED:
            messages = messages.filter(assignee=None)
        elif data["assignee"]:
            messages = messages.filter(assignee_id=int(data["assignee"]))
        if data["questions"]:
            messages = messages.filter(is_question=True)
        return messages


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Votre réponse"),
        widget=forms.Textarea(attrs={"rows": 4, "data-reply-input": ""}),
        max_length=5000,
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Attribuer à"), required=False)

    def __init__(self, *args: Any, people: QuerySet[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.people = people
        self.fields["assignee"].choices = [("", _("Personne"))] + [
            (str(u.pk), display_name(u)) for u in people
        ]

    def chosen(self) -> Any | None:
        pk = self.cleaned_data.get("assignee")
        return self.people.get(pk=int(pk)) if pk else None


class PreferenceForm(forms.Form):
    daily_email = forms.BooleanField(
        label=_("Recevoir chaque jour le courriel de ce qui m'attend"), required=False
    )
