"""Signals of the sign-ups."""

from django.dispatch import Signal

# provides args: email, site — sent when a person's data was deleted on request in the
# association of ``site`` (:func:`cms.members.erasure.erase`), so that the apps above that hold
# personal data of their own (ambassadors…) delete theirs in the same transaction
person_erased = Signal()
