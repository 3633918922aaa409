"""What the statistics call things, in the admin's language: metrics, why one is missing, and
what each network gives or cannot give (shown in the Statistics area and the monthly report).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from syndication import metrics as m

METRIC_LABELS = {
    m.IMPRESSIONS: _("vues"),
    m.REACH: _("comptes atteints"),
    m.CLICKS: _("clics"),
    m.LIKES: _("j'aime"),
    m.SHARES: _("partages"),
    m.COMMENTS: _("commentaires"),
    m.QUOTES: _("citations"),
    m.SAVES: _("enregistrements"),
}
METRIC_CHOICES = list(METRIC_LABELS.items())

UNAVAILABLE_LABELS = {
    m.RETIRED: _("retiré par le réseau"),
    m.PERMISSION: _("autorisation manquante"),
    m.TIER: _("non compris dans l'accès à l'API"),
    m.NOT_FOUND: _("publication introuvable"),
    m.HIDDEN: _("masqué par le compte"),
    m.UNSUPPORTED: _("non fourni pour ce type de compte"),
    m.REFUSED: _("refusé"),
}
UNAVAILABLE_CHOICES = list(UNAVAILABLE_LABELS.items())

#: What each network cannot give, whatever the permissions (shown next to its numbers).
CANNOT_GIVE = {
    "mastodon": _(
        "Mastodon ne compte ni les vues ni les clics : seuls les favoris, partages "
        "et réponses existent ; les visites arrivées de Mastodon sont comptées par "
        "le site."
    ),
    "bluesky": _(
        "Bluesky ne compte ni les vues ni les clics : j'aime, republications, "
        "réponses et citations seulement (lus sur l'App View)."
    ),
    "x": _(
        "X ne donne les clics sur le lien qu'à l'auteur, pour ses publications de moins de "
        "30 jours : ils ne sont pas lus ; le niveau d'accès à l'API peut interdire toute "
        "lecture (les chiffres sont alors « non disponibles »)."
    ),
    "linkedin": _(
        "LinkedIn ne donne les statistiques que des publications d'une page "
        "d'organisation, pas de celles d'un membre ; pas de citations."
    ),
    "facebook": _(
        "Facebook a retiré en 2025 les « impressions » des publications : les vues "
        "viennent de la nouvelle mesure « post_media_view » ; les réactions (tous "
        "types) comptent comme « j'aime »."
    ),
    "instagram": _(
        "Instagram ne donne pas de clics (le lien n'est pas cliquable dans une "
        "légende) ; les statistiques détaillées demandent l'autorisation "
        "« instagram_manage_insights » ; les « j'aime » d'un compte qui les masque "
        "ne sont pas lisibles."
    ),
}

FAMILY_LABELS = {
    "reach": _("Vues"),
    "engagement": _("Interactions"),
    "clicks": _("Clics"),
}


def metric_label(name: str) -> str:
    return str(METRIC_LABELS.get(name, name))


def unavailable_label(kind: str) -> str:
    return str(UNAVAILABLE_LABELS.get(kind, kind))
