"""The answers of a survey in Wagtail's own listing of form submissions, and its CSV and Excel
exports: every cell goes through :func:`cms.core.spreadsheets.cell` (a free text starting with
``=`` stays text), the answers to a multiple choice are one cell."""

from __future__ import annotations

from typing import Any

from wagtail.contrib.forms.views import SubmissionsListView

from cms.core.spreadsheets import SafeSpreadsheetExportMixin


class SurveyAnswersListView(SafeSpreadsheetExportMixin, SubmissionsListView):
    def to_row_dict(self, item: Any) -> dict[str, Any]:
        row = super().to_row_dict(item)
        return {
            field: ", ".join(str(v) for v in value) if isinstance(value, list) else value
            for field, value in row.items()
        }
