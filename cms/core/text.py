"""Text typed by the public, as it is stored: no control or invisible formatting characters.

A name pasted from a PDF or a spreadsheet may carry control characters (``\\x00``..``\\x1f``,
``\\x7f``), invisible formatting marks (Unicode Cf: right-to-left overrides, zero-width spaces,
byte-order marks) or, through a broken encoder, lone surrogates. None of them belongs in a
name, and several break what is made from the sign-ups later (an Excel export refuses control
characters, an e-mail header refuses line breaks). :func:`clean_text` removes them when the
text arrives; the exports clean again whatever was stored before (:mod:`cms.core.spreadsheets`).
"""

from __future__ import annotations

import unicodedata

# Zero-width (non-)joiners are Cf but part of the spelling of names (Persian, Hindi) and of emoji
_KEPT = frozenset("\u200c\u200d")
_LINE_BREAKS = frozenset("\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control characters (Cc), formatting characters (Cf) and surrogates
    (Cs). Tabs and line breaks become spaces, or with ``multiline`` are kept as ``\\t`` and
    ``\\n`` (``\\r\\n`` and the other line separators become ``\\n``)."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for char in text:
        if char in _LINE_BREAKS:
            out.append("\n" if multiline else " ")
        elif char == "\t":
            out.append("\t" if multiline else " ")
        elif char in _KEPT or unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
            out.append(char)
    return "".join(out)
