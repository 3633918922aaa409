"""Small pieces of text the admin writes in the editor's language (French or English)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def labelled(label: object, value: object) -> str:
    """``label : value`` in French (a space before the colon), ``label: value`` in English."""
    return _("%(label)s : %(value)s") % {"label": label, "value": value}


def not_known() -> str:
    """What a table shows for a number nobody could give ("n/d", "n/a"), never a zero."""
    return _("n/d")
