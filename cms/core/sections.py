"""The site's sections (:mod:`relais.sections`) as the admin names them: in the editor's
language (French or English), whatever the language of the public site."""

from __future__ import annotations

from django.utils.translation import get_language

from relais.sections import SECTIONS


def section_label(key: str) -> str:
    """The section's name in the active language; an unknown key is shown as it is."""
    section = SECTIONS.get(key)
    return section.label(get_language() or "fr") if section else key


def section_choices() -> list[tuple[str, str]]:
    """``(key, name)`` for every section, for a form or a model field's ``choices``."""
    return [(key, section_label(key)) for key in SECTIONS]
