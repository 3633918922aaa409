"""The item's Partage form, and the date of a scheduled adoption."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.federation.models import Association, Sector

from .models import Share


class ShareForm(forms.ModelForm):
    class Meta:
        model = Share
        fields = ["mode", "associations", "sectors"]
        widgets = {
            "mode": forms.RadioSelect,
            "associations": forms.CheckboxSelectMultiple,
            "sectors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, candidates: list[Association], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["associations"].queryset = Association.objects.filter(
            pk__in=[a.pk for a in candidates]
        ).select_related("site")
        self.fields["sectors"].queryset = Sector.objects.all()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        mode = cleaned.get("mode")
        if mode == Share.Mode.CHOSEN and not cleaned.get("associations"):
            self.add_error(
                "associations", _("Cochez au moins une association, ou partagez avec toutes.")
            )
        if mode == Share.Mode.SECTORS and not cleaned.get("sectors"):
            self.add_error(
                "sectors",
                _("Cochez au moins un secteur, ou partagez avec toutes les associations."),
            )
        return cleaned


class ScheduleForm(forms.Form):
    go_live_at = forms.DateTimeField(
        label=_("Mettre en ligne le"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        error_messages={
            "required": _("Choisissez la date et l'heure de mise en ligne."),
            "invalid": _("Écrivez la date et l'heure ainsi : 2026-12-01 09:30."),
        },
    )
