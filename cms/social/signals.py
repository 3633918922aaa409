"""Signals of syndication's deliveries (connected in ``SocialConfig.ready``)."""

from django.dispatch import Signal

# provides args: delivery_id, run_after — a delivery is to be carried out (again), not before
# ``run_after`` (``None``: now). Sent by :mod:`cms.social.delivery` when it waits for a time
# (scheduled post, retry, posting budget, another worker's lease) or resumes deliveries; the
# app's tasks enqueue it (:func:`cms.social.tasks.on_delivery_due`).
delivery_due = Signal()
