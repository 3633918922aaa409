"""Admin fields that end up in ``content/``: they accept what the content format accepts.

A field the export writes as an address of a content file or of ``site.yaml`` is checked with
the same function as the build (:mod:`relais.urls`), so that the CMS never exports a file the
build would refuse: Django's ``URLField`` alone also takes ``ftp://``, and an ``EmailField``
takes addresses ``site.yaml`` does not.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from relais.urls import UnsafeURL, check_email, check_url

WEB_MESSAGE = _(
    "Adresse refusée : indiquez une adresse complète qui commence par https:// "
    "(ou http://), par exemple https://www.exemple.fr/page."
)
WEB_OR_MAILTO_MESSAGE = _(
    "Adresse refusée : indiquez une adresse complète qui commence par https:// "
    "(ou http://), par exemple https://www.exemple.fr/inscription, ou mailto: suivi d'une "
    "adresse e-mail (mailto:inscription@exemple.fr)."
)
EMAIL_MESSAGE = _("Adresse e-mail refusée : écrivez-la comme contact@exemple.fr.")
# Refusals whose cause the general message would not explain
REASONS = {
    "credentials": _(
        "Adresse refusée : retirez l'identifiant et le mot de passe écrits avant le nom du "
        "site (la partie qui se termine par @) ; une page publique ne doit pas les montrer."
    ),
    "invisible": _(
        "Adresse refusée : elle contient une espace ou un caractère invisible. Écrivez une "
        "espace %20 et retirez les autres caractères."
    ),
}


@deconstructible
class AddressValidator:
    """A web address (``mailto=True``: or ``mailto:`` and an e-mail address), as the content
    format accepts it."""

    def __init__(self, mailto: bool = False):
        self.mailto = mailto

    def __call__(self, value: str) -> None:
        if not value:
            return
        try:
            check_url(value, mailto=self.mailto)
        except UnsafeURL as exc:
            general = WEB_OR_MAILTO_MESSAGE if self.mailto else WEB_MESSAGE
            raise ValidationError(REASONS.get(exc.code, general), code="address") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AddressValidator) and other.mailto == self.mailto


@deconstructible
class EmailAddressValidator:
    """An e-mail address as ``site.yaml`` accepts it (``contact_email``)."""

    def __call__(self, value: str) -> None:
        if not value:
            return
        try:
            check_email(value)
        except UnsafeURL:
            raise ValidationError(EMAIL_MESSAGE, code="email_address") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EmailAddressValidator)
