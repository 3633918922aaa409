"""A survey's results, counted from the stored answers: per question the answers per category
(choices, scales) or the free texts; drawn with the statistics' charts (:mod:`cms.stats.charts`,
the number of every bar in its ``data-value``); and the aggregation that the results article
may show (:func:`publishable`), where no category has fewer answers than the survey's
threshold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cms.stats.charts import Series, hbar_chart

from .models import SurveyAnswer, SurveyPage, SurveyQuestion


@dataclass
class QuestionResult:
    question: SurveyQuestion
    #: (category, answers) in the form's order; answers no longer among the choices after.
    counts: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    #: How many answers said something to this question.
    answered: int = 0

    @property
    def label(self) -> str:
        return self.question.label

    def chart(self) -> SafeString:
        rows = [category for category, _n in self.counts]
        return hbar_chart(
            f"survey-q{self.question.pk}",
            self.label,
            _("Nombre de réponses par choix, %(n)s personnes ayant répondu à la question.")
            % {"n": self.answered},
            rows,
            [Series("answers", _("Réponses"), [n for _c, n in self.counts])],
        )

    def table(self) -> dict[str, Any]:
        """What :file:`stats/includes/chart.html` shows next to the chart."""
        return {
            "caption": self.label,
            "head": [_("Choix"), _("Réponses")],
            "rows": [[category, n] for category, n in self.counts],
        }


def values_of(answer: SurveyAnswer, question: SurveyQuestion) -> list[str]:
    """What an answer said to a question, as texts (a multiple choice gives several)."""
    value = answer.form_data.get(question.clean_name)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if str(v) != ""]
    return [str(value)]


def tally(
    survey: SurveyPage, answers: Iterable[SurveyAnswer] | None = None
) -> list[QuestionResult]:
    """Every question of ``survey`` with its results, from its stored answers."""
    answers = list(answers if answers is not None else survey.get_submissions())
    results = []
    for question in survey.get_form_fields():
        result = QuestionResult(question)
        counter: Counter[str] = Counter()
        for answer in answers:
            values = values_of(answer, question)
            if not values:
                continue
            result.answered += 1
            if question.counted:
                counter.update(values)
            else:
                result.texts.append(values[0])
        if question.counted:
            known = question.categories()
            result.counts = [(c, counter[c]) for c in known]
            result.counts += [(c, n) for c, n in counter.items() if c not in known]
        results.append(result)
    return results


def publishable(result: QuestionResult, threshold: int) -> tuple[list[tuple[str, int]], int]:
    """The categories the results article may show: each with at least ``threshold`` answers;
    the smaller ones merged into "Autres réponses" when together they reach the threshold
    (else hidden). Returns the rows and how many answers were hidden."""
    shown = [(c, n) for c, n in result.counts if n >= threshold]
    small = sum(n for _c, n in result.counts if 0 < n < threshold)
    if small >= threshold:
        return [*shown, (_("Autres réponses"), small)], 0
    return shown, small
