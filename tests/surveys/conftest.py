"""Fixtures of the surveys' tests: the CMS tests' site tree, and builders of surveys and
subscribers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from cms.newsletter.models import Subscriber
from cms.surveys.models import SurveyPage, SurveyQuestion
from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401

#: The questions of the surveys of these tests: (label, kind, choices, required).
QUESTIONS = [
    ("Comment avez-vous connu l'association ?", "radio", "Amis\nSite\nRéseaux\nÉcole", True),
    ("Quels services utilisez-vous ?", "checkboxes", "Annuaire\nOffres d'emploi\nGala", False),
    ("Votre satisfaction", "scale5", "", True),
    ("Recommanderiez-vous l'association ?", "scale10", "", False),
    ("Une suggestion ?", "multiline", "", False),
]


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def make_survey(
    tree: dict,
    *,
    members_only: bool = True,
    publish: bool = True,
    threshold: int = 5,
    slug: str = "enquete-services",
    title: str = "Enquête sur nos services",
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    questions: list[tuple[str, str, str, bool]] = QUESTIONS,
) -> SurveyPage:
    survey = SurveyPage(
        title=title,
        slug=slug,
        summary="Dites-nous ce que vous pensez des services de l'association.",
        members_only=members_only,
        threshold=threshold,
        opens_at=opens_at,
        closes_at=closes_at,
        live=publish,
        form_fields=[
            SurveyQuestion(label=label, field_type=kind, choices=choices, required=required)
            for label, kind, choices, required in questions
        ],
    )
    tree["indexes"]["association"].add_child(instance=survey)
    if publish:
        survey.save_revision().publish()
    return survey


def subscriber(site: Any, email: str, status: str = "confirmed", name: str = "") -> Subscriber:
    return Subscriber.objects.create(
        site=site,
        email=email,
        name=name,
        source=Subscriber.Source.ADMIN,
        status=status,
        confirmed_at=timezone.now() if status == "confirmed" else None,
    )


def names(survey: SurveyPage) -> dict[str, str]:
    """The form's field name of each question, by its label's first word."""
    return {q.label.split()[0].lower(): q.clean_name for q in survey.get_form_fields()}
