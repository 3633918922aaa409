"""Names inserted in French sentences: elision and contraction at the seam.

"Votre demande auprès de %(association)s" with "ENILC Alumni" must read "auprès d'ENILC
Alumni", "Rapport de %(month)s" with "octobre 2026" "Rapport d'octobre 2026", and "de" before
"Les Anciens de l'ENILC" "des Anciens de l'ENILC". :func:`interpolate` formats a sentence with
``%(name)s`` placeholders and applies French rules where a placeholder follows one of the small
words that change (:data:`ELIDED`, :data:`CONTRACTED`), and only there: the rest of the sentence
is the translator's, and a sentence in another language has none of these words before its
placeholders (the site's templates use it through :mod:`relais.pelican.i18n`). :func:`elide` is
the rule itself.

A name sounds with a vowel when it starts with one (accents and ligatures included), with a
"y" before a consonant (Yves, Yncréa; not Yale) or with a mute "h" (l'Hôpital, d'HEC): every "h"
is mute except at the start of the words of :data:`ASPIRATED_H` (la Hollande, de Harvard).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

#: Small words written with an apostrophe before a vowel sound.
ELIDED = {
    "de": "d'",
    "le": "l'",
    "la": "l'",
    "que": "qu'",
    "je": "j'",
    "me": "m'",
    "te": "t'",
    "se": "s'",
    "ne": "n'",
}
#: A preposition and the article a name starts with, written as one word.
CONTRACTED = {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"}
#: Words whose "h" is aspirated (no elision): common words that start names of places and
#: groups, and foreign names read the same way.
ASPIRATED_H = (
    "hache",
    "haie",
    "haine",
    "hall",
    "halle",
    "halte",
    "hamac",
    "hambourg",
    "hameau",
    "hanche",
    "handball",
    "handicap",
    "hangar",
    "hanovre",
    "hardi",
    "hareng",
    "haricot",
    "harpe",
    "harvard",
    "hasard",
    "hausse",
    "haut",
    "havre",
    "hawai",
    "heros",
    "hetre",
    "hibou",
    "hierarchie",
    "hockey",
    "hollande",
    "homard",
    "hongrie",
    "hong kong",
    "honte",
    "hors",
    "houille",
    "huit",
    "hublot",
    "hutte",
)
VOWELS = frozenset("aeiouœæ")
_PLACEHOLDER = re.compile(
    r"(?<![\w'’])(" + "|".join(sorted({*ELIDED, "à"}, key=len, reverse=True)) + r")"
    r"\s+%\((\w+)\)s",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    """Lower case, without accents: "Hôpital" → "hopital"."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sounds_with_a_vowel(name: str) -> bool:
    plain = _plain(name.strip())
    if not plain:
        return False
    first, second = plain[0], plain[1:2]
    if first in VOWELS:
        return True
    if first == "y":
        return bool(second) and second.isalpha() and second not in VOWELS
    if first == "h":
        return not plain.startswith(ASPIRATED_H)
    return False


def _cased(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def elide(word: str, name: str) -> str:
    """``word`` and ``name`` as French writes them together: ("de", "ENILC Alumni") gives
    "d'ENILC Alumni", ("de", "Centrale") "de Centrale", ("de", "Les Anciens") "des Anciens",
    ("à", "Le Cercle") "au Cercle". ``word`` keeps its capital ("De" → "D'")."""
    key = word.casefold()
    article, _, rest = name.partition(" ")
    contracted = CONTRACTED.get((key, article.casefold()))
    if contracted and rest:
        return f"{_cased(contracted, word)} {rest}"
    if key in ELIDED and sounds_with_a_vowel(name):
        return f"{_cased(ELIDED[key], word)}{name}"
    return f"{word} {name}"


def interpolate(message: str, values: Mapping[str, object]) -> str:
    """``message % values``, with :func:`elide` applied where a placeholder follows one of its
    words: ``interpolate("Votre demande auprès de %(association)s", {"association": "ENILC
    Alumni"})`` gives "Votre demande auprès d'ENILC Alumni"."""

    def joined(match: re.Match) -> str:
        word, key = match.group(1), match.group(2)
        return elide(word, str(values[key])).replace("%", "%%")

    return _PLACEHOLDER.sub(joined, message) % values
