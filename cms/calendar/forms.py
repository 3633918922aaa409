"""Moving a post (or a scheduled item) to another day or time, and an account's posting slots.

The move forms take a day and, optionally, a time (none: the same time of day as before, or
the slot dropped on). They refuse what could not happen: a time in the past, a post that is no
longer waiting, a time at or after the item leaves the site, more posts in a day than the
network takes from one account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Revision

from cms.publishing.models import ExportRecord
from cms.social.models import Delivery, PostingSlot
from cms.social.slots import HOLDING, daily_limit

from .agenda import start_of


class MoveForm(forms.Form):
    day = forms.DateField(
        label=_("Jour"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Indiquez le jour."),
            "invalid": _("Le jour n'est pas une date valide (AAAA-MM-JJ)."),
        },
    )
    time = forms.TimeField(
        label=_("Heure"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Vide : la même heure qu'avant."),
        error_messages={"invalid": _("L'heure n'est pas valide (HH:MM).")},
    )

    def __init__(self, *args: Any, current: dt.datetime, now: dt.datetime | None = None, **kw):
        super().__init__(*args, **kw)
        self.current = current
        self.now = now or timezone.now()

    def when(self) -> dt.datetime:
        """The new time (valid forms only)."""
        time = self.cleaned_data.get("time") or timezone.localtime(self.current).time()
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["day"], time))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        when = self.when()
        if when <= self.now:
            raise forms.ValidationError(
                _("%(when)s est déjà passé : choisissez un moment à venir.")
                % {"when": date_format(timezone.localtime(when), "DATETIME_FORMAT")}
            )
        self.check(when)
        return cleaned

    def check(self, when: dt.datetime) -> None:
        """What the thing moved refuses (raise ``ValidationError``)."""

    def check_page(self, page: Page | None, when: dt.datetime, *, live: bool = True) -> None:
        """The item must still be on the site then (``live``: and be on it now, for a post)."""
        if page is None:
            return
        record = ExportRecord.objects.filter(page_id=page.pk).first() if live else None
        if record is not None and record.withdrawn:
            raise forms.ValidationError(
                _(
                    "L'article « %(title)s » a été retiré du site : il n'y a plus rien à "
                    "publier. Republiez-le d'abord."
                )
                % {"title": page.title}
            )
        if page.expire_at is not None and when >= page.expire_at:
            raise forms.ValidationError(
                _(
                    "L'article « %(title)s » quitte le site le %(expire)s : choisissez un "
                    "moment avant, ou repoussez son expiration."
                )
                % {
                    "title": page.title,
                    "expire": date_format(timezone.localtime(page.expire_at), "DATETIME_FORMAT"),
                }
            )


class MovePostForm(MoveForm):
    """A post of the ledger: only while it waits."""

    def __init__(self, *args: Any, delivery: Delivery, **kw: Any):
        self.delivery = delivery
        current = delivery.post_at or timezone.now()
        super().__init__(*args, current=current, **kw)

    def check(self, when: dt.datetime) -> None:
        delivery = self.delivery
        if delivery.state != Delivery.State.PENDING:
            raise forms.ValidationError(
                _("Cette publication n'attend plus (%(state)s) : elle ne se déplace plus.")
                % {"state": delivery.get_state_display()}
            )
        self.check_page(delivery.page.specific if delivery.page_id else None, when)
        limit = daily_limit(delivery.network)
        if limit is not None:
            day = timezone.localtime(when).date()
            that_day = (
                Delivery.objects.filter(
                    account_id=delivery.account_id,
                    state__in=HOLDING,
                    post_at__gte=start_of(day),
                    post_at__lt=start_of(day + dt.timedelta(days=1)),
                )
                .exclude(pk=delivery.pk)
                .count()
            )
            if that_day >= limit:
                raise forms.ValidationError(
                    _(
                        "%(label)s n'accepte que %(limit)s publications par jour d'un même "
                        "compte, et le %(day)s en a déjà autant : choisissez un autre jour."
                    )
                    % {
                        "label": delivery.account.network_label,
                        "limit": limit,
                        "day": date_format(day, "j F"),
                    }
                )


class MoveItemForm(MoveForm):
    """An item scheduled to go live (its approved revision's go-live time)."""

    def __init__(self, *args: Any, revision: Revision, page: Page, **kw: Any):
        self.revision = revision
        self.page = page
        super().__init__(*args, current=revision.approved_go_live_at, **kw)

    def check(self, when: dt.datetime) -> None:
        self.check_page(self.page, when, live=False)


class SlotForm(forms.ModelForm):
    class Meta:
        model = PostingSlot
        fields = ["weekday", "time"]
        widgets = {"time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class BaseSlotFormSet(BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = (form.cleaned_data.get("weekday"), form.cleaned_data.get("time"))
            if None in key:
                continue
            if key in seen:
                raise forms.ValidationError(
                    _("Le même créneau est indiqué deux fois : retirez l'un des deux.")
                )
            seen.add(key)


SlotFormSet = modelformset_factory(
    PostingSlot, form=SlotForm, formset=BaseSlotFormSet, extra=2, can_delete=True
)
