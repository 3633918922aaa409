"""What the desk gets from each network and what it cannot, in the admin's words. The facts
are the library's (``Network.pulls``, ``actions``, ``conversation_gaps``); the sentences here
say them in French, and a test checks that they agree with the library's declarations."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from syndication.conversations import ANSWER, COMMENT, HIDE, LIKE, MENTION, REPLY
from syndication.networks import registry

KIND_LABELS = {REPLY: _("réponses"), COMMENT: _("commentaires"), MENTION: _("mentions")}

#: What each network cannot give or do, as :attr:`Network.conversation_gaps` says.
GAPS = {
    "mastodon": [
        _("masquer une réponse : l'API de Mastodon ne permet que de masquer ou bloquer l'auteur"),
        _("les réponses venues de serveurs que celui du compte ne reçoit pas"),
    ],
    "bluesky": [
        _("rien si le serveur du compte n'a pas d'App View (elle sert notifications et fils)"),
        _("masquer une réponse (Relais ne pose pas de règles de fil)"),
    ],
    "x": [
        _("rien avec un accès à l'API sans lecture (le niveau gratuit) : X répond 403"),
        _("les fils de plus de 7 jours (recherche récente), et les fils sans accès à la recherche"),
        _("masquer une réponse (Relais ne le fait pas)"),
    ],
    "linkedin": [
        _("les mentions de l'organisation dans les publications des membres"),
        _("le nom des auteurs : LinkedIn ne donne que leur identifiant"),
        _("masquer un commentaire : l'API de LinkedIn ne le permet pas"),
    ],
    "facebook": [
        _("les mentions de la Page dans les publications des autres (webhook seulement)"),
        _("l'auteur d'un commentaire, sans l'autorisation pages_read_user_content"),
        _("les commentaires des publications que Relais n'a pas faites"),
    ],
    "instagram": [
        _("aimer un commentaire : l'API d'Instagram ne le permet pas"),
        _("les mentions du compte dans les publications des autres (webhook seulement)"),
        _("le nom des auteurs (seulement leur nom d'utilisateur)"),
    ],
}


@dataclass(frozen=True)
class NetworkCapabilities:
    name: str
    label: str
    pulled: list[str]
    answer: bool
    like: bool
    hide: bool
    gaps: list[str]


def table() -> list[NetworkCapabilities]:
    rows = []
    for name, cls in registry.items():
        network = cls()
        rows.append(
            NetworkCapabilities(
                name=name,
                label=cls.label,
                pulled=[str(KIND_LABELS[k]) for k in (REPLY, COMMENT, MENTION) if k in cls.pulls],
                answer=network.can(ANSWER),
                like=network.can(LIKE),
                hide=network.can(HIDE),
                gaps=[str(g) for g in GAPS.get(name, [])],
            )
        )
    return rows
