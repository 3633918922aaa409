"""Settings of the conversations desk: ``RELAIS_CONVERSATIONS`` (a dict; missing keys take the
defaults below).

- ``pull_every`` (300): seconds between two pulls of every account (0: never, by the clock);
- ``digest_every`` (3600): how often the clock looks for people whose daily mail is due (0:
  no mails); each person gets at most one a day, from ``digest_hour`` (local time, 7);
- ``question_words``: words that make a message a question even without "?".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "pull_every": 300,
    "digest_every": 3600,
    "digest_hour": 7,
    "question_words": (
        "comment",
        "pourquoi",
        "quand",
        "où",
        "combien",
        "est-ce que",
        "how",
        "why",
        "when",
        "where",
    ),
}


def conversations() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "RELAIS_CONVERSATIONS", {})}
