"""The results article: a draft item of the association's news, made from a survey's answers,
with aggregated charts only (bars drawn as text, which survive the export to Markdown and the
feeds): no free text, no category with fewer answers than the survey's threshold. The editor
reviews it and publishes it like any item."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.rich_text import RichText

from cms.content.models import AssociationNewsPage, SectionIndexPage
from relais import sections

from .models import SurveyPage
from .results import publishable, tally

BAR_WIDTH = 20  # characters of the longest bar


def bar(n: int, top: int) -> str:
    return "█" * max(1, round(BAR_WIDTH * n / top)) if n else ""


def body_html(survey: SurveyPage) -> str:
    """The article's body: per counted question, its shown categories with their bars."""
    answers = list(survey.get_submissions())
    parts = [
        "<p>"
        + escape(
            _("%(n)s personnes ont répondu à l'enquête « %(title)s ».")
            % {"n": len(answers), "title": survey.title}
        )
        + "</p>"
    ]
    hidden_any = False
    for result in tally(survey, answers):
        if not result.question.counted:
            continue
        rows, hidden = publishable(result, survey.threshold)
        hidden_any = hidden_any or bool(hidden)
        parts.append(f"<h2>{escape(result.label)}</h2>")
        if not rows:
            parts.append(
                "<p>"
                + escape(_("Trop peu de réponses à cette question pour les montrer."))
                + "</p>"
            )
            continue
        top = max(n for _c, n in rows)
        items = "".join(
            f"<li>{escape(category)} : {bar(n, top)} {n} "
            f"({round(100 * n / max(1, result.answered))} %)</li>"
            for category, n in rows
        )
        parts.append(f"<ul>{items}</ul>")
    if hidden_any:
        parts.append(
            "<p><i>"
            + escape(
                _(
                    "Les choix retenus par moins de %(n)s personnes ne sont pas montrés, pour "
                    "que personne ne puisse être reconnu."
                )
                % {"n": survey.threshold}
            )
            + "</i></p>"
        )
    return "".join(parts)


def unique_slug(index: SectionIndexPage, base: str) -> str:
    slug, n = base, 1
    while index.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_results_article(survey: SurveyPage, user: Any) -> AssociationNewsPage:
    """A draft of the association's news with the survey's aggregated results, under the
    association's index of its news (the survey's own index)."""
    count = survey.get_submissions().count()
    if count < survey.threshold:
        raise ValidationError(
            _(
                "L'enquête n'a que %(count)s réponses : il en faut au moins %(n)s (son seuil de "
                "diffusion) pour publier des résultats. Attendez d'autres réponses ou baissez "
                "le seuil dans l'enquête."
            )
            % {"count": count, "n": survey.threshold}
        )
    index = survey.get_parent().specific
    if not isinstance(index, SectionIndexPage) or index.section != sections.ASSOCIATION.key:
        raise ValidationError(
            _("L'enquête n'est pas dans l'index « Vie de l'association » : déplacez-la d'abord.")
        )
    title = _("Résultats de l'enquête « %(title)s »") % {"title": survey.title}
    article = AssociationNewsPage(
        title=title[:255],
        slug=unique_slug(index, f"resultats-{survey.slug}"[:200]),
        summary=(
            _("Ce que nous ont dit les %(n)s personnes qui ont répondu à notre enquête.")
            % {"n": count}
        ),
        body=[("paragraph", RichText(body_html(survey)))],
        live=False,
        owner=user,
    )
    index.add_child(instance=article)
    article.save_revision(user=user, log_action=True)
    return article
