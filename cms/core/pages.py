"""Pages of the static site that the CMS writes itself into ``content/pages/`` (not from an
"information page" of the admin): their slugs are taken, so that no page written by an editor
overwrites them, or is overwritten."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: slug -> what the page is (for the editor who would like the same address)
GENERATED_PAGES = {
    "lettres": _("l'archive des lettres d'information"),
}


def slug_taken_message(slug: str) -> str | None:
    """Why an editor's page cannot take ``slug``, or ``None`` when it can."""
    what = GENERATED_PAGES.get(slug)
    if what is None:
        return None
    return str(
        _("L'adresse « %(slug)s » est celle de %(what)s : choisissez-en une autre.")
        % {"slug": slug, "what": what}
    )
