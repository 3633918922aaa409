"""What a delivery's state means, in plain French, with what to do next.

The delivery engine records its reasons in English (``Delivery.reason``, shown as the technical
detail); the reasons this app writes itself are French already. :func:`explain` turns both
into one sentence for the admin, shown under the state: it says what the state does not (why,
what next), never the state again ("publié / Publié."), and nothing when the state says it all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cms.core.i18n import labelled

if TYPE_CHECKING:
    from .models import Delivery

_REFUSED = re.compile(r"refused with (\d{3})")
_GAVE_UP = re.compile(r"gave up after (\d+) attempts")
_RATE_LIMITED = re.compile(r"rate limited")
_SERVER_ERROR = re.compile(
    r"server error (\d{3})|no answer within|connection (lost|failed)|"
    r"could not connect"
)
#: How the reasons written before the state was shown beside them began: the state, again.
_STATE_PREFIX = re.compile(r"^(En attente|Non publié|Échec) ?: ?")
_ENGLISH = re.compile(
    r"^(The |a worker |not found |found on |unexpected |gave up |"
    r"[A-Za-z]+: (GET|POST|PUT|DELETE) )"
)


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _why(reason: str) -> str:
    """The cause of a failure or a wait, from the engine's reason."""
    if m := _REFUSED.search(reason):
        code = int(m.group(1))
        if code in (401, 403):
            return _(
                "le réseau a refusé la publication (erreur %(code)s) : le compte n'a "
                "peut-être plus le droit de publier, ou le même texte a déjà été publié. "
                "Vérifiez le compte sur le réseau"
            ) % {"code": code}
        return _(
            "le réseau a refusé la publication (erreur %(code)s) : vérifiez le texte dans "
            "l'onglet Réseaux sociaux de l'article"
        ) % {"code": code}
    if _RATE_LIMITED.search(reason):
        return _("le réseau a demandé d'attendre (trop de publications en peu de temps)")
    if _SERVER_ERROR.search(reason):
        return _("le réseau ne répondait pas ou était en panne")
    if reason.startswith("The ") and "cannot post" in reason:
        return _("le compte doit être reconnecté (Paramètres → Réseaux)")
    return ""


def technical_detail(delivery: Delivery) -> str:
    """The engine's own words, when the explanation is a translation of them."""
    reason = delivery.reason or ""
    return reason if _ENGLISH.search(reason) else ""


def explain(delivery: Delivery) -> str:
    state, reason = delivery.state, delivery.reason or ""
    french = _STATE_PREFIX.sub("", reason) if reason and not _ENGLISH.search(reason) else ""
    french = capfirst(french)
    if state == "sent":
        if reason.startswith("found on the network"):
            return _(
                "La réponse du réseau s'était perdue : Relais a retrouvé la publication au lieu "
                "de la refaire."
            )
        return ""
    if state == "skipped":
        return french or _("Ce réseau ne peut pas prendre cet article.")
    if state == "sending":
        return ""
    if state == "needs_check":
        return _(
            "Résultat incertain : le réseau n'a pas confirmé. Relais vérifie si la "
            "publication existe avant de réessayer, sans jamais la publier deux fois."
        )
    if state == "failed":
        if french:
            return french
        if m := _GAVE_UP.search(reason):
            tries = int(m.group(1))
            text = ngettext("Après %(n)s tentative", "Après %(n)s tentatives", tries) % {"n": tries}
            cause = _why(reason.split("last error:", 1)[-1])
            if cause:
                text = labelled(text, cause)
            return f"{text}. " + _("Cliquez sur Réessayer plus tard.")
        cause = _why(reason)
        if cause:
            return _("%(cause)s, puis cliquez sur Réessayer.") % {"cause": capfirst(cause)}
        return _(
            "Le réseau a refusé la publication (voir le détail). Corrigez la cause, puis "
            "cliquez sur Réessayer."
        )
    # pending
    account = delivery.account
    if account.status == account.Status.RECONNECT or (
        reason.startswith("The ") and "cannot post" in reason
    ):
        return _(
            "Le compte %(account)s doit être reconnecté (Paramètres → Réseaux) ; la "
            "publication partira ensuite."
        ) % {"account": account}
    if not account.active:
        return _("Le compte %(account)s est désactivé.") % {"account": account}
    now = timezone.now()
    if delivery.retry_at is not None and delivery.retry_at > now:
        cause = _why(reason)
        text = _("Nouvel essai prévu le %(when)s") % {"when": _when(delivery.retry_at)}
        return f"{labelled(text, cause)}." if cause else f"{text}."
    if delivery.post_at is not None and delivery.post_at > now:
        return _("Programmé pour le %(when)s.") % {"when": _when(delivery.post_at)}
    return french
