"""Admin forms of the content pages."""

from __future__ import annotations

from typing import Any

from wagtail.admin.forms import WagtailAdminPageForm

from cms.taxonomy.models import SiteTerm


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


class ItemPageForm(WagtailAdminPageForm):
    """The form of every item: its class years, groups and contributors are chosen among those
    of the item's association only (the list shows no other, and another's is refused).

    The apps above the content add their part of the form by the ``ITEM_FORM_HOOK`` of
    :mod:`cms.content.models` (the Social tab's texts: :class:`cms.social.forms.SocialPageForm`)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        site = self.item_site()
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and issubclass(queryset.model, SiteTerm):
                field.queryset = queryset.filter(site=site) if site else queryset.none()

    def item_site(self) -> Any:
        """The site the item is on, or will be on once created (``None`` before it has a parent)."""
        page = self.instance
        if page.pk:
            return page.get_site()
        parent = getattr(self, "parent_page", None)
        return parent.get_site() if parent is not None else None
