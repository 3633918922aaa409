"""Why a source could not be read, in plain words.

Every refusal of the watching engine is a :class:`WatchError` with a ``code`` (stable, for
programs and translations: a key of :data:`REASONS`) and a ``reason``: a French sentence for
the editor that names what was wrong and, where there is something to do, what to do next.
``detail`` is for the logs (never shown as the reason). Neither holds the user name or
password of an address (:func:`relais.outbound.redact`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from relais.outbound import redact

#: The French sentence of each code; ``%(name)s`` placeholders are filled from ``params``.
REASONS: Mapping[str, str] = {
    "timeout": "le serveur ne répond pas (délai dépassé) : il sera réessayé plus tard",
    "slow": (
        "le serveur répond trop lentement (plus de %(seconds)s s pour le document entier) : "
        "il sera réessayé plus tard"
    ),
    "connect": "connexion impossible au serveur : vérifiez l'adresse, ou attendez qu'il revienne",
    "unknown_host": "le serveur %(host)s est introuvable : vérifiez l'adresse de la source",
    "tls": "la connexion https au serveur n'est pas sûre (certificat invalide)",
    "not_https": (
        "l'adresse %(url)s n'est pas en https : Relais ne lit que des adresses https, "
        "écrivez-la en https://"
    ),
    "private": (
        "%(host)s mène à une adresse privée ou interne (%(ip)s) : Relais ne s'y connecte "
        "pas, donnez l'adresse publique du site"
    ),
    "not_address": "« %(url)s » n'est pas une adresse de site : écrivez-la en https://…",
    "too_large": (
        "le document dépasse la taille maximale (%(limit)s) : donnez l'adresse d'un flux "
        "ou d'une page plus courte"
    ),
    "bomb": (
        "le document compressé dépasse %(limit)s une fois décompressé (bombe de "
        "compression) : refusé"
    ),
    "encoding": "la compression annoncée par le serveur (%(encoding)s) est illisible : refusé",
    "redirects": "trop de redirections (plus de %(limit)s) : donnez l'adresse finale",
    "redirect_loop": "les redirections du serveur tournent en rond (%(url)s) : adresse à vérifier",
    "http_status": "le serveur répond « %(status)s %(label)s » : %(advice)s",
    "not_feed": (
        "ce document n'est ni un flux RSS ni un flux Atom : donnez l'adresse du flux, ou "
        "suivez-le comme une page"
    ),
    "xml_entities": (
        "le flux déclare des entités XML (risque d'expansion sans fin, « billion laughs ») : refusé"
    ),
    "xml_external": (
        "le flux appelle des entités externes (fichiers ou adresses) : refusé, rien n'a été lu"
    ),
    "no_text": "aucun texte lisible n'a été trouvé sur la page : vérifiez l'adresse",
    "abandoned": "la vérification a dépassé le temps du cycle : elle sera reprise plus tard",
    "unexpected": (
        "erreur inattendue en lisant cette source : elle sera réessayée ; si cela dure, "
        "signalez-le avec l'adresse de la source"
    ),
}

#: What a status says to the editor, and what to do next.
STATUS_LABELS: Mapping[int, tuple[str, str]] = {
    400: ("requête refusée", "vérifiez l'adresse de la source"),
    401: ("accès réservé", "la source demande un compte : Relais ne lit que des pages publiques"),
    403: ("accès interdit", "le site refuse les lecteurs automatiques, ou l'adresse a changé"),
    404: ("introuvable", "l'adresse n'existe plus : cherchez la nouvelle sur le site"),
    410: ("supprimé", "la source n'existe plus : retirez-la"),
    429: ("trop de requêtes", "Relais attendra avant de réessayer"),
}


class WatchError(Exception):
    """A source that could not be read, fetched or parsed; see the module's docstring."""

    #: Seconds the server asked to wait before the next try (``Retry-After``), if it did.
    retry_after: float | None = None

    def __init__(self, code: str, detail: str = "", **params: Any):
        self.code = code
        self.params = {k: redact(v) if isinstance(v, str) else v for k, v in params.items()}
        self.reason = REASONS[code] % self.params
        self.detail = redact(detail)
        super().__init__(self.reason)


def status_error(status: int, detail: str = "") -> WatchError:
    """The :class:`WatchError` of an answer with an error status."""
    label, advice = STATUS_LABELS.get(
        status,
        ("erreur du serveur", "il sera réessayé plus tard")
        if status >= 500
        else ("réponse inattendue", "vérifiez l'adresse de la source"),
    )
    return WatchError("http_status", detail, status=status, label=label, advice=advice)
