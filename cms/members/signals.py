"""Signals of the sign-ups, for the apps above this one (connected in their
``AppConfig.ready``)."""

from django.dispatch import Signal

# provides args: email, site — a person's data was erased on request in ``site``'s association
# (:func:`cms.members.erasure.erase`); receivers delete what they hold of ``email`` there and
# return how many records they deleted.
person_erased = Signal()

# provides args: signup_id — a sign-up was stored and its transaction committed
# (:func:`cms.members.signups.create_signup`); the app's tasks queue its e-mails.
signup_received = Signal()
