"""The forms of the watch's admin views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import AlertRule, KeywordRule, ReviewSchedule, Source, WatchEntry


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
    shared = forms.BooleanField(
        label=_("Partager avec les associations rattachées"),
        required=False,
        help_text=_(
            "Lue une seule fois ; chaque association la trie à sa façon et peut la couper."
        ),
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


class AlertRuleForm(forms.ModelForm):
    """A rule of alert: a watched page (among those that reach the association) that changed,
    or a word found in new entries."""

    class Meta:
        model = AlertRule
        fields = ["kind", "source", "word"]

    def __init__(self, *args: Any, pages: QuerySet[Source], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = pages
        self.fields["source"].required = False
        self.fields["source"].empty_label = _("choisir une page suivie")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        word = (data.get("word") or "").strip()
        data["word"] = word
        if data.get("kind") == AlertRule.Kind.PAGE and not data.get("source"):
            raise forms.ValidationError(
                _("Choisissez la page suivie dont un changement doit vous alerter.")
            )
        if data.get("kind") == AlertRule.Kind.KEYWORD:
            if not word:
                raise forms.ValidationError(
                    _("Écrivez le mot ou l'expression à guetter, par exemple le nom de l'école.")
                )
            data["source"] = None
        return data


class ReviewScheduleForm(forms.ModelForm):
    """When the weekly press review is composed by itself (empty day: never)."""

    class Meta:
        model = ReviewSchedule
        fields = ["weekday", "hour"]
