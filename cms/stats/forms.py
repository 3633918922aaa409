"""The filters of the Statistics area: a period (a preset or two dates), a section, a network."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.core.sections import section_choices
from cms.social.models import NETWORK_CHOICES

from .figures import Filters

PERIODS = [
    ("30", _("30 derniers jours")),
    ("90", _("3 derniers mois")),
    ("365", _("12 derniers mois")),
    ("month", _("Ce mois-ci")),
    ("last_month", _("Le mois dernier")),
    ("custom", _("Dates choisies")),
]
MAX_DAYS = 3 * 366


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


class StatsFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Période"), choices=PERIODS, required=False, initial="90")
    start = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    section = forms.ChoiceField(
        label=_("Rubrique"),
        required=False,
        choices=lambda: [("", _("Toutes")), *section_choices()],
    )
    network = forms.ChoiceField(
        label=_("Réseau"), required=False, choices=[("", _("Tous")), *NETWORK_CHOICES]
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start or end or data.get("period") == "custom":
            if not (start and end):
                raise forms.ValidationError(
                    _(
                        "Indiquez les deux dates de la période (du … au "
                        "…), ou choisissez une période toute faite."
                    )
                )
            if end < start:
                raise forms.ValidationError(
                    _("La période se termine avant de commencer : inversez les deux dates.")
                )
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choisissez une période de trois ans au plus."))
        return data

    def filters(self, today: dt.date, site: Site | None = None) -> Filters:
        """The filters asked for (the last 90 days by default, or when the form is invalid),
        on ``site``'s figures."""
        data = self.cleaned_data if self.is_valid() else {}
        start, end = data.get("start"), data.get("end")
        period = data.get("period") or "90"
        if not (start and end):
            if period == "month":
                start, end = month_bounds(today)[0], today
            elif period == "last_month":
                start, end = month_bounds(today.replace(day=1) - dt.timedelta(days=1))
            else:
                days = int(period) if period.isdigit() else 90
                start, end = today - dt.timedelta(days=days - 1), today
        return Filters(
            start=start,
            end=end,
            section=data.get("section") or "",
            network=data.get("network") or "",
            site=site,
        )
