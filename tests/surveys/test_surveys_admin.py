"""An editor makes a survey with the admin's own form (Wagtail's form builder in an item), and
finds its results from the page's actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.publishing.views import preview_model
from cms.surveys.models import SurveyPage
from tests.social.support import _form_errors, form_data
from tests.surveys.conftest import make_survey


def test_an_editor_creates_a_survey_with_questions_in_the_admin(site_tree, client, admin_user):
    client.force_login(admin_user)
    index = site_tree["indexes"]["association"]
    url = f"/admin/pages/add/surveys/surveypage/{index.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Échelle de 1 à 5" in html and "éservé aux adhérents" in html
    data = form_data(page.content)
    data.update(
        {
            "title": "Enquête des 20 ans",
            "slug": "enquete-20-ans",
            "summary": "Votre avis sur la soirée des 20 ans.",
            "body-count": "0",
            "threshold": "4",
            "form_fields-TOTAL_FORMS": "2",
            "form_fields-INITIAL_FORMS": "0",
            "form_fields-0-label": "La soirée",
            "form_fields-0-field_type": "scale10",
            "form_fields-0-required": "on",
            "form_fields-0-ORDER": "1",
            "form_fields-1-label": "Le lieu",
            "form_fields-1-field_type": "radio",
            "form_fields-1-choices": "Parfait\nTrop loin",
            "form_fields-1-ORDER": "2",
        }
    )
    data.pop("members_only", None)  # unticked: open and anonymous
    response = client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    survey = SurveyPage.objects.get(slug="enquete-20-ans")
    assert not survey.members_only and survey.threshold == 4
    assert [(q.label, q.field_type) for q in survey.get_form_fields()] == [
        ("La soirée", "scale10"),
        ("Le lieu", "radio"),
    ]
    form = survey.get_form()
    assert [str(c[1]) for c in form.fields["la_soiree"].choices] == [str(i) for i in range(1, 11)]

    # two questions with the same name are refused, as in any Wagtail form page
    data.update({"slug": "doublon", "form_fields-1-label": "La soirée"})
    refused = client.post(url, data)
    assert refused.status_code == 200 and not SurveyPage.objects.filter(slug="doublon").exists()


def test_closing_before_opening_is_refused(site_tree):
    survey = make_survey(site_tree, publish=False)
    survey.opens_at = timezone.now()
    survey.closes_at = survey.opens_at - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="après l'ouverture"):
        survey.full_clean()


def test_the_results_are_one_click_from_the_page(site_tree, client, admin_user):
    survey = make_survey(site_tree, members_only=False)
    client.force_login(admin_user)
    edit = client.get(f"/admin/pages/{survey.pk}/edit/").content.decode()
    assert f"/admin/surveys/{survey.pk}/" in edit
    listing = client.get(f"/admin/pages/{survey.get_parent().pk}/").content.decode()
    assert f"/admin/surveys/{survey.pk}/" in listing


def test_a_survey_is_previewed_as_any_item(db):
    assert preview_model(SurveyPage.get_content_type_str()) is SurveyPage
    assert preview_model("surveys.nothing") is None
    unsaved = SurveyPage(title="Nouvelle enquête", slug="nouvelle", members_only=False)
    assert unsaved.export_addendum().endswith("(#)")  # its preview, before it has an address
