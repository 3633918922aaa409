"""Cells of the admin's CSV and Excel exports, whatever the database holds.

Every export of the admin (sign-ups, the ledger of network posts, the statistics tables) goes
through :func:`cell`: a value stored before the input was cleaned (:mod:`cms.core.text`), or
written by a network's answer, may hold characters an Excel file cannot contain — openpyxl
raises on them and the download would fail — or start like a formula, which a spreadsheet would
run. :class:`SafeSpreadsheetExportMixin` applies it to Wagtail's exports.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What a spreadsheet reads as the start of a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATES = re.compile("[\ud800-\udfff]")


def cell(value: Any, *, csv: bool = False) -> Any:
    """``value`` without the characters an Excel file cannot hold (controls other than tab
    and line breaks, lone surrogates); in a CSV file, a text that starts like a formula is
    given a leading ``'`` so that it stays text."""
    if not isinstance(value, str):
        return value
    value = _SURROGATES.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))
    if csv and value.startswith(FORMULA_START):
        value = "'" + value
    return value


class SafeSpreadsheetExportMixin:
    """For a Wagtail view with ``list_export`` (``SpreadsheetExportMixin``): every exported
    value goes through :func:`cell`, so that one odd value never fails the download."""

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        value = super().preprocess_field_value(field, value, export_format)  # type: ignore[misc]
        return cell(value, csv=export_format == "csv")
