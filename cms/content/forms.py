"""Admin forms of the content pages."""

from __future__ import annotations

from typing import Any

from wagtail.admin.forms import WagtailAdminPageForm


class SectionIndexPageForm(WagtailAdminPageForm):
    """A new section index is not in the tree yet when its form is checked: the rule "one index
    per section on a site" (``SectionIndexPage.section_taken``) is applied here with the parent
    the page will have; a page already in the tree is checked by its ``clean()``."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.instance.path and "section" in cleaned:
            error = type(self.instance).section_taken(
                getattr(self, "parent_page", None), cleaned["section"]
            )
            if error is not None:
                self.add_error(None, error)
        return cleaned
