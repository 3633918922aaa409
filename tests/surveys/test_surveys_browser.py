"""One survey answered in Debian's Chromium: a required question left out comes back with its
error and everything typed, then the answer is stored once."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from cms.publishing.signal_handlers import suspended
from cms.surveys.models import SurveyAnswer
from tests.federation.builders import association_site
from tests.surveys.conftest import make_survey, names

pytestmark = pytest.mark.browser


def test_a_reader_answers_after_correcting_a_missing_answer(
    transactional_db, live_server, page, settings, tmp_path
):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    Site.objects.all().delete()
    tree = association_site("Amicale A", "localhost", default=True)
    with suspended():  # the static site is not needed here
        survey = make_survey(tree, members_only=False)
    fields = names(survey)

    page.goto(f"{live_server.url}/enquetes/{survey.pk}/")
    page.locator(f'input[name="{fields["votre"]}"][value="4"]').check()
    page.get_by_label("Gala").check()
    page.locator(f'textarea[name="{fields["une"]}"]').fill("Un afterwork à Nantes")
    page.get_by_role("button", name="Envoyer mes réponses").click()

    page.wait_for_selector(".has-error .error")
    assert page.locator(".has-error legend").inner_text().startswith("Comment avez-vous connu")
    assert (
        page.locator(f'textarea[name="{fields["une"]}"]').input_value() == "Un afterwork à Nantes"
    )
    assert page.locator(f'input[name="{fields["votre"]}"][value="4"]').is_checked()
    assert page.get_by_label("Gala").is_checked()
    assert not SurveyAnswer.objects.exists()

    page.get_by_label("Amis").check()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_selector("#survey-thanks")
    answer = SurveyAnswer.objects.get()
    assert answer.form_data[fields["comment"]] == "Amis"
    assert answer.form_data[fields["quels"]] == ["Gala"]
    assert answer.form_data[fields["votre"]] == 4

    page.goto(f"{live_server.url}/enquetes/{survey.pk}/")  # the same browser, again
    assert "déjà répondu" in page.locator("#survey-message").inner_text()
