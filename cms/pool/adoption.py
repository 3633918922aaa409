"""What an association does with an offer: adopt, adapt, schedule or decline.

Adopting copies the original into the association's own index of the same section (Wagtail's
``Page.copy``), with ``canonical_url`` set to the original's address on its site, and
publishes the copy: it then goes through the association's own pipeline (export to its folder,
build of its site, posts to its own accounts, once per account by the ledger). Adapting makes
the same copy as a draft, to rewrite before publishing; scheduling publishes it at a time
(Wagtail's ``go_live_at``). The copy leaves behind what belongs to the author's association:
its class years, groups and contributors (each association has its own), and the times the
author chose for its own posts (the pool spreads the copies' posts, :mod:`.spreading`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.content.models import ItemPage, SectionIndexPage
from cms.federation.scope import associations_for

from .models import Offer

#: What the copy does not take from the original: the author's own taxonomy.
NOT_COPIED = ["class_years", "groups", "contributors"]
OWN_FOREIGN_KEYS = ["alumnus_class_year", "organiser_class_year", "organiser_group"]


class OfferError(Exception):
    """The action cannot be done; the message says why and what to do."""


def section_index(offer: Offer, original: ItemPage) -> SectionIndexPage:
    home = offer.association.site.root_page
    index = SectionIndexPage.of(home, original.section_key)
    if index is None:
        raise OfferError(
            _(
                "Le site « %(association)s » n'a pas de rubrique « %(section)s » : créez-la "
                "(Pages, sous la page d'accueil), puis adoptez l'article."
            )
            % {
                "association": offer.association,
                "section": original.specific_class.section.label_fr,
            }
        )
    return index


def check_may_act(user: Any, offer: Offer, *, publish: bool) -> SectionIndexPage:
    """The index the copy goes under, if ``user`` may act on ``offer`` for its association:
    they work on that association and may add pages under the index (editors), and publish
    them when the action publishes (``publish``)."""
    if not associations_for(user).filter(pk=offer.association_id).exists():
        raise PermissionDenied
    original = offer.original.specific
    index = section_index(offer, original)
    perms = index.permissions_for_user(user)
    if not perms.can_add_subpage():
        raise PermissionDenied
    if publish and not perms.can_publish_subpage():
        raise OfferError(
            _(
                "Vous ne pouvez pas publier sur le site « %(association)s » : adaptez l'article "
                "(un brouillon) et soumettez-le à un modérateur."
            )
            % {"association": offer.association}
        )
    return index


def _free_slug(index: Page, slug: str) -> str:
    taken = set(Page.objects.child_of(index).values_list("slug", flat=True))
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slugify(slug)[:240]}-{n}", n + 1
    return candidate


def _own_texts(texts: dict[str, Any] | None) -> dict[str, Any]:
    """The author's texts per network, without the times it chose for its own posts."""
    return {
        network: {k: v for k, v in entry.items() if k != "post_at"}
        for network, entry in (texts or {}).items()
        if isinstance(entry, dict)
    }


def make_copy(offer: Offer, index: SectionIndexPage, user: Any) -> ItemPage:
    original = offer.original.specific
    if not original.live:
        raise OfferError(
            _("L'article d'origine n'est plus en ligne : il ne peut plus être repris.")
        )
    attrs: dict[str, Any] = {
        "slug": _free_slug(index, original.slug),
        "canonical_url": original.canonical_url or original.static_url,
        "social_texts": _own_texts(original.social_texts),
        "go_live_at": None,
        "expire_at": None,
        **{name: None for name in OWN_FOREIGN_KEYS if hasattr(original, name)},
    }
    copy = original.copy(
        to=index,
        update_attrs=attrs,
        exclude_fields=NOT_COPIED,
        copy_revisions=False,
        keep_live=False,
        user=user,
    )
    offer.copy = copy
    offer.copied_revision_id = original.live_revision_id
    return copy.specific


def _decide(offer: Offer, state: str, user: Any) -> None:
    offer.state = state
    offer.decided_by = user if getattr(user, "pk", None) else None
    offer.decided_at = timezone.now()
    offer.original_changed = False
    offer.save()


def _lock_open(offer: Offer) -> Offer:
    locked = Offer.objects.select_for_update().select_related("association__site").get(pk=offer.pk)
    if not locked.is_open:
        raise OfferError(
            _("Cet article a déjà été traité (%(state)s).") % {"state": locked.get_state_display()}
        )
    return locked


def adopt(offer: Offer, user: Any, go_live_at: dt.datetime | None = None) -> ItemPage:
    """Copy and publish now (or at ``go_live_at``: scheduled)."""
    index = check_may_act(user, offer, publish=True)
    if go_live_at is not None and go_live_at <= timezone.now():
        raise OfferError(_("Choisissez une date et une heure à venir."))
    with transaction.atomic():
        offer = _lock_open(offer)
        copy = make_copy(offer, index, user)
        copy.go_live_at = go_live_at
        revision = copy.save_revision(user=user, log_action=True)
        revision.publish(user=user)
        state = Offer.State.SCHEDULED if go_live_at else Offer.State.ADOPTED
        _decide(offer, state, user)
    return copy


def adapt(offer: Offer, user: Any) -> ItemPage:
    """Copy as a draft, to rewrite (its own standfirst, its own texts per network)."""
    index = check_may_act(user, offer, publish=False)
    with transaction.atomic():
        offer = _lock_open(offer)
        copy = make_copy(offer, index, user)
        copy.save_revision(user=user, log_action=True)
        _decide(offer, Offer.State.ADAPTED, user)
    return copy


def check_may_answer(user: Any, offer: Offer) -> None:
    """Declining, or marking changes seen, copies nothing: the association's editors (who may
    add pages on its site) may do it, whether or not the site has the item's section."""
    if not associations_for(user).filter(pk=offer.association_id).exists():
        raise PermissionDenied
    home = offer.association.site.root_page
    if not home.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied


def decline(offer: Offer, user: Any) -> None:
    check_may_answer(user, offer)
    with transaction.atomic():
        offer = _lock_open(offer)
        _decide(offer, Offer.State.DECLINED, user)


def mark_seen(offer: Offer, user: Any) -> None:
    """The association saw what changed in the original: the flag goes, and the next change
    is compared with the original as it is now."""
    check_may_answer(user, offer)
    Offer.objects.filter(pk=offer.pk).update(
        original_changed=False, copied_revision_id=offer.original.live_revision_id
    )
