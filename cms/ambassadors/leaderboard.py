"""The leaderboard: the visits and sign-ups each ambassador of an association brought over a
period, from the stored counts (:class:`AmbassadorVisits`) and sign-ups (their first or last
touch carrying the ambassador's reference), and a thank-you text for the most active."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from cms.members.models import Signup

from .models import MEDIUM, Ambassador, AmbassadorVisits


@dataclass(frozen=True)
class Row:
    ambassador: Ambassador
    visits: int
    signups: int


def signups_of(ambassador: Ambassador, start: dt.date, end: dt.date):
    brought = Q(last_medium=MEDIUM, last_content=ambassador.reference) | Q(
        first_medium=MEDIUM, first_content=ambassador.reference
    )
    return Signup.objects.filter(
        brought, site_id=ambassador.site_id, created_at__date__gte=start, created_at__date__lte=end
    )


def leaderboard(site: Site, start: dt.date, end: dt.date) -> list[Row]:
    """Every ambassador of ``site`` with what they brought between ``start`` and ``end``
    (included), the most sign-ups first, then the most visits."""
    rows = []
    for ambassador in Ambassador.objects.filter(site=site):
        visits = AmbassadorVisits.objects.filter(
            ambassador=ambassador, day__gte=start, day__lte=end
        ).aggregate(n=Sum("views"))["n"]
        rows.append(Row(ambassador, visits or 0, signups_of(ambassador, start, end).count()))
    return sorted(rows, key=lambda r: (-r.signups, -r.visits, r.ambassador.name))


def thank_you_text(rows: list[Row], association: str, top: int = 3) -> str:
    """A thank-you to the most active (who brought something), to copy into a post or a mail;
    ``""`` when nobody brought anything."""
    best = [r for r in rows if r.visits or r.signups][:top]
    if not best:
        return ""
    lines = [
        _("Merci à nos ambassadeur·rices, qui font connaître %(association)s !")
        % {"association": association}
    ]
    for row in best:
        visits = ngettext("%(n)d visite", "%(n)d visites", row.visits) % {"n": row.visits}
        signups = ngettext("%(n)d adhésion", "%(n)d adhésions", row.signups) % {"n": row.signups}
        lines.append(f"- {row.ambassador.name} : {visits}, {signups}")
    lines.append(
        _("Vous aussi, relayez nos nouvelles : écrivez-nous pour devenir ambassadeur·rice.")
    )
    return "\n".join(lines)
