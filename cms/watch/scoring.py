"""How much an entry matters to an association: its keyword rules and its sectors of activity.

Words are compared without accents, case nor punctuation, as whole words: ``énergie`` matches
« ÉNERGIE » and « energie », not « synergie ». An include word
in the title counts :data:`TITLE_WEIGHT`, in the summary :data:`SUMMARY_WEIGHT`; a sector's
name counts as an include word. An exclude word anywhere hides the entry (it arrives
*écartée*, still findable with the "écartées" filter). A rule with a language applies to the
entries of that language only (guessed from their words, :func:`guess_language`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from relais.watching.links import title_key

TITLE_WEIGHT = 3
SUMMARY_WEIGHT = 1
EXCLUDED = -100

_FRENCH = {
    *("le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "pour", "dans"),
    *("sur", "au", "aux", "avec", "par", "qui", "que", "il", "elle", "nous", "ses"),
}
_ENGLISH = {"the", "and", "of", "to", "is", "for", "in", "on", "with", "at", "by", "from"}


@dataclass(frozen=True)
class Rule:
    word: str
    include: bool = True
    language: str = ""


@dataclass(frozen=True)
class Score:
    value: int
    matched: tuple[str, ...]
    excluded: bool


def guess_language(text: str) -> str:
    """``fr``, ``en``, or ``""`` when the words do not say."""
    words = title_key(text).split()
    french = sum(w in _FRENCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if french == english:
        return ""
    return "fr" if french > english else "en"


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


def contains(text: str, word: str) -> bool:
    """Whether ``word`` is in ``text`` as whole words, without accents, case nor punctuation."""
    return _contains(title_key(text), title_key(word))


def score(title: str, summary: str, rules: Iterable[Rule], language: str = "") -> Score:
    """The score of an entry (see the module's docstring)."""
    in_title, in_summary = title_key(title), title_key(summary)
    value, matched, excluded = 0, [], False
    for rule in rules:
        if rule.language and language and rule.language != language:
            continue
        word = title_key(rule.word)
        hit_title, hit_summary = _contains(in_title, word), _contains(in_summary, word)
        if not (hit_title or hit_summary):
            continue
        matched.append(rule.word)
        if not rule.include:
            excluded = True
            continue
        value += TITLE_WEIGHT * hit_title + SUMMARY_WEIGHT * hit_summary
    return Score(EXCLUDED if excluded else value, tuple(matched), excluded)
