"""A sent discussion's poll, as each network counts its votes now: read from the network when
the page is shown (one try: a person waits), where its API gives the votes back (Mastodon,
LinkedIn); elsewhere (X), the page says where to see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cms.social.crypto import CredentialsUnreadable
from cms.social.models import Delivery
from syndication.errors import SyndicationError
from syndication.models import PollResults
from syndication.networks import registry

from .models import Discussion


@dataclass
class PollReading:
    """One account's poll: its votes per option (with their share) or why they are missing."""

    label: str
    account: str
    results: PollResults | None = None
    note: str = ""

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        """(option, votes, percent of the votes) in the poll's order."""
        if self.results is None:
            return []
        total = sum(self.results.votes)
        return [
            (option, votes, round(100 * votes / total) if total else 0)
            for option, votes in zip(self.results.options, self.results.votes, strict=False)
        ]


def read_one(delivery: Delivery) -> PollReading:
    account = delivery.account
    network = registry[delivery.network]
    reading = PollReading(network.label, account.display_name or account.handle)
    values = {"label": network.label}
    try:
        client = account.client()
        if not client.reads_polls:
            reading.note = (
                _("Relais ne lit pas les votes sur %(label)s : consultez-les sur le réseau.")
                % values
            )
            return reading
        client.read_retries = 0  # a person waits: one try
        reading.results = client.poll_results(delivery.remote_id)
    except (SyndicationError, CredentialsUnreadable) as exc:
        reading.note = _(
            "Les votes n'ont pas pu être lus sur %(label)s (%(detail)s) : rechargez la page "
            "plus tard."
        ) % {**values, "detail": getattr(exc, "message", str(exc))}
        return reading
    if reading.results is None:
        reading.note = _("%(label)s ne montre pas de sondage sous cette publication.") % values
    return reading


def poll_readings(discussion: Discussion) -> list[PollReading]:
    """The poll of each account the discussion went to with its poll (none before it is
    sent, or without a poll)."""
    if discussion.poll is None or not discussion.is_sent:
        return []
    deliveries = (
        Delivery.objects.filter(item_key=discussion.key, state=Delivery.State.SENT)
        .exclude(remote_id="")
        .select_related("account")
        .order_by("network", "pk")
    )
    return [read_one(d) for d in deliveries if registry[d.network].poll_limits is not None]
