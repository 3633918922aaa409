"""The forms of the watch's admin views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import KeywordRule, Source, WatchEntry


class AddSourceForm(forms.Form):
    address = forms.CharField(
        label=_("Adresse du site, du flux ou de la page"),
        max_length=1000,
        help_text=_(
            "L'adresse d'un site suffit : son flux est trouvé s'il en annonce un, sinon sa "
            "page est suivie."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Suivre comme"),
        required=False,
        choices=[
            ("", _("trouver automatiquement (flux, sinon page)")),
            (Source.Kind.PAGE, Source.Kind.PAGE.label),
            (Source.Kind.LISTING, Source.Kind.LISTING.label),
        ],
    )


class KeywordRuleForm(forms.ModelForm):
    class Meta:
        model = KeywordRule
        fields = ["word", "kind", "language"]

    def clean(self) -> dict[str, Any]:
        """The same rule twice is refused (the site, given by the view, is not a field)."""
        data = super().clean()
        same = KeywordRule.objects.filter(
            site_id=self.instance.site_id,
            word__iexact=data.get("word", ""),
            kind=data.get("kind"),
            language=data.get("language", ""),
        )
        if same.exists():
            raise forms.ValidationError(_("Cette règle existe déjà."))
        return data


class DeskFilterForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.none(), required=False, empty_label=_("Toutes")
    )
    state = forms.ChoiceField(
        label=_("État"), required=False, choices=[("", _("Tous")), *WatchEntry.State.choices]
    )
    period = forms.ChoiceField(
        label=_("Période"),
        required=False,
        choices=[("", _("aujourd'hui et pour plus tard")), ("all", _("tout"))],
    )

    def __init__(self, *args: Any, sources: QuerySet[Source], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
