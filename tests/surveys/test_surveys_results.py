"""Results: the admin's charts count exactly the stored answers, the CSV export is Wagtail's with
safe cells, and the results article shows aggregates only, never a category under the
threshold. Another association's editor sees none of it."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from cms.content.models import AssociationNewsPage
from cms.surveys.models import SurveyAnswer
from tests.federation.conftest import b_user, two_sites  # noqa: F401
from tests.surveys.conftest import make_survey, names

#: (how they knew us, services, satisfaction, recommendation, suggestion), one per answer
ANSWERS = [
    ("Amis", ["Annuaire", "Gala"], "5", "9", '=HYPERLINK("http://example.com","x")'),
    ("Amis", ["Annuaire"], "4", "8", ""),
    ("Amis", ["Annuaire", "Offres d'emploi"], "4", "", "Je suis Jean Dupont, promo 1998"),
    ("Amis", [], "3", "10", ""),
    ("Site", ["Annuaire"], "4", "7", ""),
    ("Site", ["Gala"], "2", "", "Plus d'événements à Lyon"),
    ("Site", ["Offres d'emploi"], "5", "9", ""),
    ("Réseaux", [], "1", "3", ""),
]


def answer_all(client, survey, answers=ANSWERS) -> None:
    fields = names(survey)
    for i, (how, services, satisfaction, recommend, text) in enumerate(answers):
        client.cookies.clear()  # each answer from its own browser
        data = {fields["comment"]: how, fields["votre"]: satisfaction, fields["une"]: text}
        data[fields["quels"]] = services
        if recommend:
            data[fields["recommanderiez-vous"]] = recommend
        response = client.post(f"/enquetes/{survey.pk}/", data, REMOTE_ADDR=f"192.0.2.{i + 1}")
        assert response.status_code == 200, response.content.decode()[:500]


def stored_counts(survey, clean_name: str) -> Counter:
    """Counted from the database, independently of the app's own counting."""
    counts: Counter = Counter()
    for answer in SurveyAnswer.objects.filter(page=survey):
        value = answer.form_data.get(clean_name)
        for v in value if isinstance(value, list) else [value]:
            if v not in (None, ""):
                counts[str(v)] += 1
    return counts


@pytest.fixture
def answered(site_tree, client):
    survey = make_survey(site_tree, members_only=False, threshold=3)
    answer_all(client, survey)
    return survey


def test_each_chart_counts_exactly_the_stored_answers(answered, client, admin_user):
    client.force_login(admin_user)
    response = client.get(f"/admin/surveys/{answered.pk}/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert "8 réponses" in soup.find(id="survey-summary").get_text()
    charted = 0
    for question in answered.get_form_fields():
        svg = soup.find("svg", id=f"survey-q{question.pk}")
        if not question.counted:
            assert svg is None
            continue
        drawn = {
            r["data-category"]: int(r["data-value"])
            for r in svg.find_all("rect", attrs={"data-category": True})
        }
        assert drawn == dict(stored_counts(answered, question.clean_name)), question.label
        table = soup.find("table", attrs={"data-table": f"q{question.pk}"})
        rows = {
            tr.th.get_text(strip=True): tr.td.get_text(strip=True)
            for tr in table.tbody.find_all("tr")
        }
        assert set(rows) == set(question.categories())  # every choice, answered or not
        charted += 1
    assert charted == 4
    texts = soup.find("section", attrs={"data-question": names(answered)["une"]})
    listed = [li.get_text() for li in texts.find_all("li")]
    assert sorted(listed) == sorted(a[4] for a in ANSWERS if a[4])


def test_the_chart_follows_a_new_answer(answered, client, admin_user):
    answer_all(client, answered, [("École", ["Gala"], "5", "10", "")])
    client.force_login(admin_user)
    soup = BeautifulSoup(client.get(f"/admin/surveys/{answered.pk}/").content, "html.parser")
    question = answered.get_form_fields().get(field_type="radio")
    svg = soup.find("svg", id=f"survey-q{question.pk}")
    drawn = {
        r["data-category"]: int(r["data-value"])
        for r in svg.find_all("rect", attrs={"data-category": True})
    }
    assert drawn == {"Amis": 4, "Site": 3, "Réseaux": 1, "École": 1}


def test_the_csv_export_is_wagtails_with_safe_cells(answered, client, admin_user):
    client.force_login(admin_user)
    response = client.get(f"/admin/forms/submissions/{answered.pk}/?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert "Votre satisfaction" in rows[0] and "Une suggestion ?" in rows[0]
    assert len(rows) == 1 + len(ANSWERS)
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://example.com","x")' in cells  # stays text in a spreadsheet
    assert not any(cell.startswith("=") for cell in cells)
    assert "Annuaire, Gala" in cells  # a multiple choice in one cell


def test_the_results_article_is_a_draft_with_aggregates_above_the_threshold(
    answered, client, admin_user
):
    client.force_login(admin_user)
    response = client.post(f"/admin/surveys/{answered.pk}/article/")
    article = AssociationNewsPage.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/admin/pages/{article.pk}/edit/"
    )
    assert not article.live and article.get_parent().pk == answered.get_parent().pk
    html = str(article.body)
    soup = BeautifulSoup(html, "html.parser")
    items = [li.get_text() for li in soup.find_all("li")]
    # how they knew us: Amis 4 and Site 3 shown; Réseaux (1) hidden, too small even merged
    assert any(i.startswith("Amis :") and " 4 (50 %)" in i for i in items)
    assert any(i.startswith("Site :") and " 3 (38 %)" in i for i in items)
    assert "Réseaux" not in html
    # services: Annuaire 4; Offres d'emploi (2) and Gala (2) merged, 4 ≥ 3
    assert any(i.startswith("Autres réponses :") and " 4 " in i for i in items)
    assert "Gala" not in html and "Offres d" not in html
    # nothing written by a person, nothing under the threshold anywhere
    assert "Dupont" not in html and "Lyon" not in html and "HYPERLINK" not in html
    for item in items:
        count = int(item.split("(")[0].split()[-1])
        assert count >= answered.threshold, item
    assert "moins de 3 personnes" in html


def test_no_results_article_under_the_threshold_of_answers(answered, client, admin_user):
    answered.threshold = 10
    answered.save_revision().publish()
    client.force_login(admin_user)
    response = client.post(f"/admin/surveys/{answered.pk}/article/", follow=True)
    assert "au moins 10" in response.content.decode()
    assert not AssociationNewsPage.objects.exists()


def test_another_associations_editor_sees_no_results(two_sites, b_user, client):  # noqa: F811
    survey = make_survey(two_sites["a"], members_only=False, threshold=1)
    answer_all(client, survey, ANSWERS[:2])
    client.force_login(b_user)
    for url in (
        f"/admin/surveys/{survey.pk}/",
        f"/admin/forms/submissions/{survey.pk}/?export=csv",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"Amis" not in b"".join(getattr(response, "streaming_content", [response.content]))
    for url in (f"/admin/surveys/{survey.pk}/article/", f"/admin/surveys/{survey.pk}/invitations/"):
        assert client.post(url).status_code in (403, 404), url
    assert not AssociationNewsPage.objects.exists()
