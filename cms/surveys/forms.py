"""The forms of surveys: the answer form built from the questions (Wagtail's form builder, with
the scales 1–5 and 1–10 as kinds of question), and the survey's page form in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from wagtail.contrib.forms.forms import FormBuilder, WagtailAdminFormPageForm

from cms.content.forms import ItemPageForm

#: The longest free text kept (a person pasting a whole document loses nothing they need).
FREE_TEXT_MAX = 5000


class SurveyFormBuilder(FormBuilder):
    """Wagtail's builder plus the scales: one radio button per point, the answer an integer."""

    @classmethod
    def choices_of(cls, field: Any) -> list[tuple[str, str]]:
        return cls([]).get_formatted_field_choices(field)

    def _scale(self, points: int, options: dict[str, Any]) -> forms.Field:
        options["initial"] = options.get("initial") or None
        return forms.TypedChoiceField(
            choices=[(i, str(i)) for i in range(1, points + 1)],
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            **options,
        )

    def create_scale5_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return self._scale(5, options)

    def create_scale10_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return self._scale(10, options)

    def create_multiline_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 5}), max_length=FREE_TEXT_MAX, **options
        )


class SurveyPageForm(WagtailAdminFormPageForm, ItemPageForm):
    """An item's form (class years, groups and contributors of the association only, the
    Social tab) that also checks the questions as Wagtail's form pages do (no two with the same
    name)."""
