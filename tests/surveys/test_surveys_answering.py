"""Answering through the form: a personal link answers once, bad input loses nothing typed, a
closed survey says so, an anonymous survey stores nothing about the person."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from django.utils import timezone

from cms.core.models import RateCounter
from cms.surveys.models import SurveyAnswer, SurveyInvitation
from tests.surveys.conftest import make_survey, names, subscriber

GOOD = {"comment": "Amis", "quels": ["Annuaire", "Gala"], "votre": "4", "recommanderiez-vous": "9"}


def answer_data(survey, **changes) -> dict:
    fields = names(survey)
    values = {**GOOD, **changes}
    return {fields[k]: v for k, v in values.items() if v is not None}


def invitation_of(survey, email="lea@example.org"):
    person = subscriber(survey.get_site(), email)
    return SurveyInvitation.objects.create(survey=survey, subscriber=person)


def test_a_personal_link_answers_once_and_a_second_use_is_refused(site_tree, client):
    survey = make_survey(site_tree)
    invitation = invitation_of(survey)
    url = f"/enquetes/{survey.pk}/{invitation.token}/"

    page = client.get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin" and "noindex" in page["X-Robots-Tag"]
    form = BeautifulSoup(page.content, "html.parser").find("form", id="survey-form")
    assert form is not None and form.find("input", {"name": names(survey)["votre"], "value": "5"})

    done = client.post(url, answer_data(survey))
    assert done.status_code == 200 and "Merci" in done.content.decode()
    stored = SurveyAnswer.objects.get()
    assert stored.page_id == survey.pk
    assert stored.form_data[names(survey)["votre"]] == 4  # a scale's answer is a number
    assert stored.form_data[names(survey)["quels"]] == ["Annuaire", "Gala"]
    invitation.refresh_from_db()
    assert invitation.answered_on == timezone.localdate()

    again = client.post(url, answer_data(survey, comment="Site"))
    assert again.status_code == 409 and "déjà répondu" in again.content.decode()
    assert client.get(url).status_code == 409
    assert SurveyAnswer.objects.count() == 1
    assert SurveyAnswer.objects.get().form_data[names(survey)["comment"]] == "Amis"


def test_a_members_survey_needs_a_valid_personal_link(site_tree, client):
    survey = make_survey(site_tree)
    invitation_of(survey)
    without = client.post(f"/enquetes/{survey.pk}/", answer_data(survey))
    assert without.status_code == 403 and "lien personnel" in without.content.decode()
    wrong = client.post(f"/enquetes/{survey.pk}/pas-un-jeton/", answer_data(survey))
    assert wrong.status_code == 404 and "pas valide" in wrong.content.decode()
    other = make_survey(site_tree, slug="autre-enquete", title="Autre enquête")
    foreign = invitation_of(other, "marc@example.org")  # a token of another survey
    assert client.get(f"/enquetes/{survey.pk}/{foreign.token}/").status_code == 404
    assert not SurveyAnswer.objects.exists()


def test_bad_input_shows_the_errors_and_keeps_everything_typed(site_tree, client):
    survey = make_survey(site_tree)
    invitation = invitation_of(survey)
    url = f"/enquetes/{survey.pk}/{invitation.token}/"
    fields = names(survey)
    suggestion = "Plus d'afterworks à Lyon, s'il vous plaît <b>vraiment</b>"
    data = answer_data(survey, comment=None, votre="11", une=suggestion)

    response = client.post(url, data)

    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    errors = [p.get_text() for p in soup.select("fieldset.has-error .error")]
    assert len(errors) == 2  # the missing choice and the scale out of range
    # a browser drops the newline that follows <textarea>
    assert (
        soup.find("textarea", {"name": fields["une"]}).get_text().removeprefix("\n") == suggestion
    )
    checked = {
        i["value"]
        for i in soup.find_all("input", {"name": fields["quels"]})
        if i.has_attr("checked")
    }
    assert checked == {"Annuaire", "Gala"}
    assert soup.find("input", {"name": fields["recommanderiez-vous"], "value": "9"}).has_attr(
        "checked"
    )
    assert not SurveyAnswer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_on is None  # the link still works

    fixed = client.post(url, {**data, fields["comment"]: "École", fields["votre"]: "2"})
    assert fixed.status_code == 200
    assert SurveyAnswer.objects.get().form_data[fields["une"]] == suggestion


def test_a_closed_or_not_yet_open_survey_says_so_and_stores_nothing(site_tree, client):
    now = timezone.now()
    closed = make_survey(site_tree, members_only=False, closes_at=now - dt.timedelta(hours=1))
    response = client.post(f"/enquetes/{closed.pk}/", answer_data(closed))
    assert response.status_code == 410 and "close" in response.content.decode()
    later = make_survey(
        site_tree, members_only=False, slug="plus-tard", opens_at=now + dt.timedelta(days=2)
    )
    response = client.get(f"/enquetes/{later.pk}/")
    assert response.status_code == 403 and "pas encore ouverte" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_an_unpublished_survey_is_not_found(site_tree, client):
    draft = make_survey(site_tree, members_only=False, publish=False)
    assert client.get(f"/enquetes/{draft.pk}/").status_code == 404


def test_an_anonymous_survey_stores_no_personal_data_and_refuses_the_same_browser(
    site_tree, client, django_user_model
):
    survey = make_survey(site_tree, members_only=False)
    ip = "203.0.113.77"
    response = client.post(f"/enquetes/{survey.pk}/", answer_data(survey), REMOTE_ADDR=ip)
    assert response.status_code == 200

    answer = SurveyAnswer.objects.get()
    fields = {f.name for f in SurveyAnswer._meta.concrete_fields}
    assert fields == {"id", "form_data", "page", "submit_time"}  # nothing else can be stored
    assert set(answer.form_data) <= set(names(survey).values())
    local = timezone.localtime(answer.submit_time)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)  # the day only
    assert not SurveyInvitation.objects.exists()
    assert all(ip not in row.key for row in RateCounter.objects.all())  # a keyed hash, if any

    # the same browser (its cookie) cannot answer twice; another browser can
    again = client.post(f"/enquetes/{survey.pk}/", answer_data(survey), REMOTE_ADDR=ip)
    assert again.status_code == 409
    cookie = response.cookies[f"relais_survey_{survey.pk}"]
    assert cookie["httponly"] and ip not in cookie.value
    client.cookies.clear()
    other = client.post(f"/enquetes/{survey.pk}/", answer_data(survey), REMOTE_ADDR=ip)
    assert other.status_code == 200
    assert SurveyAnswer.objects.count() == 2


def test_an_open_survey_limits_the_answers_from_one_address(site_tree, client, settings):
    settings.RELAIS_SURVEY_ANSWERS_PER_ADDRESS = (2, 3600)
    survey = make_survey(site_tree, members_only=False)
    statuses = []
    for _ in range(3):
        client.cookies.clear()
        statuses.append(
            client.post(
                f"/enquetes/{survey.pk}/", answer_data(survey), REMOTE_ADDR="198.51.100.4"
            ).status_code
        )
    assert statuses == [200, 200, 429]
    assert SurveyAnswer.objects.count() == 2
