"""Forms: the editor's texts per network (the Social tab of an item), and connecting accounts.

The Social tab edits ``ItemPage.social_texts``, ``{network: {"text": ..., "post_at": ...,
"slot": "next"}}`` (``slot``: at the account's next free posting slot, :mod:`cms.social.slots`),
stored with the page's revisions (a draft's texts go out only once published).
:class:`SocialPageForm` is mixed over the form of every item (by the content's
``ITEM_FORM_HOOK``, :mod:`cms.social.wagtail_hooks`): it checks each text with the real composer
(``OverrideTooLong`` becomes an error on the tab that says by how much to shorten it).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from cms.federation.models import Association
from syndication.compose import compose
from syndication.errors import ComposeError, NotSyndicable
from syndication.models import ImageRef, Item
from syndication.networks import registry

from .compose import NEXT_SLOT, compose_error_message, override_for, strictest_network
from .models import PostingSlot, SocialAccount
from .views.preview import compose_previews

logger = logging.getLogger(__name__)


def _parse_when(value: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(value.strip())
    return when if timezone.is_aware(when) else timezone.make_aware(when)


class SocialTextsWidget(forms.Widget):
    """One block per network: the text that will go out, its live count, the editor's own text
    and an optional time. ``networks`` (set by the form) is ``[{"name", "label", "limit",
    "preview": {...}}]``; the counts are refreshed by ``social/social_tab.js``."""

    template_name = "social/widgets/social_texts.html"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.networks: list[dict[str, Any]] = []
        self.preview_url = ""
        self.accounts_url = ""
        #: The site's accounts that are switched off: why nothing will be posted, if so.
        self.switched_off: list[Any] = []

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, dict[str, str]]:
        names = {n["name"] for n in self.networks} | {
            key[len(name) + 1 : -len("-text")]
            for key in data
            if key.startswith(f"{name}-") and key.endswith("-text")
        }
        return {
            net: {
                "text": data.get(f"{name}-{net}-text", ""),
                "post_at": data.get(f"{name}-{net}-post_at", ""),
                "slot": data.get(f"{name}-{net}-slot", ""),
            }
            for net in sorted(names)
            if net in registry
        }

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(key.startswith(f"{name}-") for key in data)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, dict) else {}
        blocks = []
        for network in self.networks:
            entry = value.get(network["name"]) or {}
            post_at = entry.get("post_at") or ""
            if post_at:
                try:
                    post_at = timezone.localtime(_parse_when(post_at)).strftime("%Y-%m-%dT%H:%M")
                except ValueError:
                    pass
            blocks.append(
                {
                    **network,
                    "text": entry.get("text", ""),
                    "post_at": post_at,
                    "next_slot": entry.get("slot") == NEXT_SLOT,
                    "field_prefix": f"{name}-{network['name']}",
                }
            )
        context["widget"].update(
            networks=blocks,
            preview_url=self.preview_url,
            accounts_url=self.accounts_url,
            switched_off=self.switched_off,
        )
        return context


def posting_slots(accounts: list[Any]) -> dict[str, list[str]]:
    """{network: its accounts' posting slots, as the tab shows them ("lundi 09:00")}."""
    shown: dict[str, list[str]] = {}
    for slot in PostingSlot.objects.filter(account__in=accounts).select_related("account"):
        text = str(slot)
        if text not in shown.setdefault(slot.account.network, []):
            shown[slot.account.network].append(text)
    return shown


class SocialTextsField(forms.Field):
    widget = SocialTextsWidget

    def to_python(self, value: Any) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for network, entry in (value or {}).items():
            if network not in registry or not isinstance(entry, dict):
                continue
            text = (entry.get("text") or "").replace("\r\n", "\n").strip()
            post_at = (entry.get("post_at") or "").strip()
            if post_at:
                try:
                    post_at = _parse_when(post_at).isoformat()
                except ValueError:
                    raise forms.ValidationError(
                        _("%(label)s : la date de publication n'est pas une date valide.")
                        % {"label": registry[network].label}
                    ) from None
            slot = NEXT_SLOT if entry.get("slot") == NEXT_SLOT else ""
            if slot and post_at:
                raise forms.ValidationError(
                    _(
                        "%(label)s : choisissez une date de publication ou le prochain créneau "
                        "libre, pas les deux."
                    )
                    % {"label": registry[network].label}
                )
            if text or post_at or slot:
                result[network] = {"text": text, "post_at": post_at}
                if slot:
                    result[network]["slot"] = slot
        return result

    def prepare_value(self, value: Any) -> Any:
        return value or {}

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (initial or {}) != self.to_python(data)


class SocialPageForm(WagtailAdminPageForm):
    """Mixed over an item's form (:class:`cms.content.forms.ItemPageForm`, whose
    ``item_site()`` it uses): adds the per-network texts and checks them with the composer."""

    social_texts = SocialTextsField(required=False, label=_("Textes pour les réseaux"))

    #: Set by the preview endpoint: compose what is typed, do not refuse it.
    skip_social_validation = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields.get("social_texts")
        if field is not None:
            self._prepare_social_widget(field.widget)

    # -- the widget's networks -------------------------------------------------------------

    def site_accounts(self) -> list[Any]:
        """Every account of the item's site, switched on or off."""
        site = self.item_site()
        if site is None:
            return []
        return list(SocialAccount.objects.filter(site=site).order_by("network", "pk"))

    def social_accounts(self) -> list[Any]:
        """The accounts that post the item."""
        return [a for a in self.site_accounts() if a.active]

    def social_networks(self) -> dict[str, Any]:
        """{name: the strictest network of that name among the site's accounts}."""
        accounts = self.social_accounts()
        names = [n for n in registry if any(a.network == n for a in accounts)]
        return {n: strictest_network(n, accounts) for n in names}

    def _prepare_social_widget(self, widget: SocialTextsWidget) -> None:
        page = self.instance
        model = type(page)
        if page.pk:
            widget.preview_url = reverse("social_preview", args=[page.pk])
        elif getattr(self, "parent_page", None) is not None:
            widget.preview_url = reverse(
                "social_preview_new",
                args=[model._meta.app_label, model._meta.model_name, self.parent_page.pk],
            )
        widget.accounts_url = reverse("social_accounts")
        networks = self.social_networks()
        if not networks:
            widget.switched_off = [a for a in self.site_accounts() if not a.active]
        texts = self.initial.get("social_texts") or getattr(page, "social_texts", None) or {}
        previews: dict[str, Any] = {}
        if page.slug and page.title:
            try:
                previews = compose_previews(page, networks, texts)
            except Exception:  # the tab must never stop the editor from working
                logger.exception("Social tab: no preview for page %s", page.pk)
        slots = posting_slots(self.social_accounts())
        widget.networks = [
            {
                "name": name,
                "label": network.label,
                "limit": network.max_length,
                "preview": previews.get(name),
                "slots": slots.get(name, []),
            }
            for name, network in networks.items()
        ]

    # -- validation --------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "social_texts" not in cleaned:
            return cleaned
        # The texts of networks without an account today are kept for when one comes back
        shown = {n["name"] for n in self.fields["social_texts"].widget.networks}
        kept = {k: v for k, v in (self.instance.social_texts or {}).items() if k not in shown}
        texts = cleaned["social_texts"] = {
            **kept,
            **{k: v for k, v in (cleaned.get("social_texts") or {}).items() if k in shown},
        }
        if self.skip_social_validation or not texts:
            return cleaned
        # Only the link matters to an editor's text: the item as it will be exported
        section = type(self.instance).section.key
        slug = cleaned.get("slug") or self.instance.slug or "article"
        anchor = self.instance if self.instance.path else self.parent_page
        base = Association.for_page(anchor).public_url
        item = Item(
            title=cleaned.get("title") or "",
            url=f"{base}/{section}/{slug}/",
            section=section,
            slug=slug,
            summary=cleaned.get("summary") or "",
            image=ImageRef(url=f"{base}/{section}/{slug}/image.jpg")
            if cleaned.get("hero_image")
            else None,
        )
        for name, network in self.social_networks().items():
            override = override_for(texts, name)
            if override is None:
                continue
            try:
                compose(item, network, override)
            except NotSyndicable:
                continue  # the tab says why; not a reason to refuse saving the page
            except ComposeError as exc:
                self.add_error("social_texts", compose_error_message(exc, network))
        return cleaned
