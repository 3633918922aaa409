"""Signals of the audience counter."""

from django.dispatch import Signal

# provides args: site, hit, utm, day — sent once a page view was counted by the counter
# (``utm``: the visit's raw ``utm_*`` parameters, for features that read more of them than the
# aggregated counts keep, e.g. an ambassador's reference in ``utm_content``)
visit_counted = Signal()
