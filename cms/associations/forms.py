"""The form of the admin's "Nouvelle association" screen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.federation.models import Association, Sector

from .creation import NewAssociation


class NewAssociationForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'association"), max_length=150)
    slug = forms.SlugField(
        label=_("Identifiant"),
        max_length=60,
        required=False,
        help_text=_("Court et stable : il nomme ses dossiers. Vide : tiré du nom."),
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=Association.Kind.choices, initial=Association.Kind.ASSOCIATION
    )
    parent = forms.ModelChoiceField(
        label=_("Rattachée à"),
        queryset=Association.objects.exclude(kind=Association.Kind.ASSOCIATION),
        required=False,
        help_text=_("L'union régionale ou la fédération dont elle fait partie."),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Secteurs d'activité"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_email = forms.EmailField(label=_("E-mail de contact"), required=False)
    site_url = forms.URLField(
        label=_("Adresse du site public"),
        required=False,
        assume_scheme="https",
        help_text=_("Vide : l'adresse du site de l'installation suivie de son identifiant."),
    )
    hostname = forms.CharField(
        label=_("Adresse de ses pages sur le CMS"),
        max_length=255,
        required=False,
        help_text=_(
            "Le nom d'hôte de sa page d'adhésion. Vide : son identifiant, un point, puis "
            "l'hôte du CMS (nantes.cms.example.org)."
        ),
    )

    def new_association(self) -> NewAssociation:
        data = self.cleaned_data
        return NewAssociation(
            name=data["name"],
            slug=data["slug"],
            kind=data["kind"],
            parent=data["parent"],
            site_url=data["site_url"],
            hostname=data["hostname"],
            contact_email=data["contact_email"],
            sectors=list(data["sectors"]),
        )
