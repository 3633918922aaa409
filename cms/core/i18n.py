"""Small pieces of text the admin writes in the editor's language (French or English)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_timedelta
from babel.lists import format_list
from django.utils import formats
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _


def labelled(label: object, value: object) -> str:
    """``label : value`` in French (a space before the colon), ``label: value`` in English."""
    return _("%(label)s : %(value)s") % {"label": label, "value": value}


def not_known() -> str:
    """What a table shows for a number nobody could give ("n/d", "n/a"), never a zero."""
    return _("n/d")


def readable_duration(seconds: float) -> str:
    """A duration as people say it: "0,4 s" or "12 s" under a minute (tenths below ten
    seconds), then the largest unit that fits, rounded ("3 min", "2 h", "5 j"), in the
    editor's language."""
    if seconds < 59.5:
        digits = 1 if seconds < 9.95 else 0
        shown = formats.number_format(round(seconds, digits), digits)
        return _("%(n)s s") % {"n": shown}
    locale = to_locale(get_language() or "fr")
    return format_timedelta(dt.timedelta(seconds=seconds), format="short", locale=locale)


def readable_list(items: list[str]) -> str:
    """``A, B et C`` in French, ``A, B and C`` in English."""
    return format_list(items, locale=to_locale(get_language() or "fr")) if items else ""
