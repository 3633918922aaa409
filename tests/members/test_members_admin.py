"""The sign-ups in the admin: who sees them, filters, CSV export, and erasure on request."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import Site

from cms.audience.models import PageViewCount
from cms.members.models import ErasureTally, Signup

INDEX = "/admin/adhesions/"
ERASE = "/admin/adhesions/effacement/"


def make_signup(page, **fields) -> Signup:
    values = {
        "page": page,
        "name": "Léa Martin",
        "email": "lea@example.org",
        "consent_text": "J'accepte.",
        "consented_at": timezone.now(),
        "wants_membership": True,
    }
    values.update(fields)
    return Signup.objects.create(**values)


@pytest.fixture
def signups(signup_site):
    page = signup_site["page"]
    now = timezone.now()
    return {
        "lea": make_signup(
            page,
            class_year=2012,
            last_network="mastodon",
            last_item="actualites/nomination",
            first_network="linkedin",
        ),
        "paul": make_signup(
            page,
            name="Paul Durand",
            email="paul@example.org",
            class_year=2016,
            last_network="linkedin",
            status=Signup.Status.DONE,
            created_at=now - dt.timedelta(days=40),
        ),
        "robot": make_signup(
            page, name='=HYPERLINK("http://evil.example")', email="eve@example.org", class_year=2012
        ),
    }


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "pw"))
    return client


def test_only_users_with_the_permission_see_sign_ups(signups, client, django_user_model):
    editor = django_user_model.objects.create_user("redactrice", "r@example.org", "pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get(INDEX).status_code in (302, 403)
    assert client.get(ERASE).status_code in (302, 403)
    editor.user_permissions.add(Permission.objects.get(codename="view_signup"))
    response = client.get(INDEX)
    assert response.status_code == 200 and "Léa Martin" in response.content.decode()
    assert client.get(ERASE).status_code in (302, 403)  # viewing is not deleting


def test_listing_filters_by_status_network_class_year_and_period(signups, admin_client):
    body = admin_client.get(INDEX).content.decode()
    assert all(s.name.replace('"', "&quot;") in body for s in signups.values())
    assert f'href="{INDEX}new/"' not in body  # sign-ups come from the form only
    assert f'href="{ERASE}"' in body
    assert admin_client.get(INDEX + "new/").status_code == 404

    def listed(query: str) -> set[str]:
        response = admin_client.get(f"{INDEX}?{query}")
        assert response.status_code == 200
        return {s.name for s in response.context["object_list"]}

    assert listed("status=done") == {"Paul Durand"}
    assert listed("last_network=mastodon") == {"Léa Martin"}
    assert listed("class_year=2012") == {"Léa Martin", signups["robot"].name}
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert "Paul Durand" not in listed(f"created_at_from={since}")
    assert listed(f"created_at_from={since}") == {"Léa Martin", signups["robot"].name}
    assert listed("q=paul") == {"Paul Durand"}


def test_csv_export_has_every_field_and_defuses_formulas(signups, admin_client):
    response = admin_client.get(f"{INDEX}?export=csv&class_year=2012")
    assert response.status_code == 200
    assert 'filename="adhesions.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    lea = next(r for r in rows if r["E-mail"] == "lea@example.org")
    assert lea["Nom et prénom"] == "Léa Martin"
    assert lea["Promotion"] == "2012"
    assert lea["Réseau"] == "mastodon"
    assert lea["Contenu d'origine"] == "actualites/nomination"
    assert lea["Réseau (premier contact)"] == "linkedin"
    assert lea["Veut adhérer"] == "True" and lea["Statut"] == "new"
    robot = next(r for r in rows if r["E-mail"] == "eve@example.org")
    assert robot["Nom et prénom"] == '\'=HYPERLINK("http://evil.example")'


def test_erasure_on_request_removes_everything_for_that_address(
    signups, admin_client, signup_site, client
):
    from cms.core.models import RateCounter
    from cms.members import protection

    page = signup_site["page"]
    make_signup(page, email="LEA@example.org", name="Léa M.")
    # a sign-up recorded before the Signup model, in Wagtail's form submissions
    FormSubmission.objects.create(page=page, form_data={"e_mail": "lea@example.org", "nom": "Léa"})
    FormSubmission.objects.create(page=page, form_data={"e_mail": "autre@example.org"})
    protection.allow("email", "lea@example.org")
    assert RateCounter.objects.filter(key__startswith=protection.KEY_PREFIX + "email").exists()
    PageViewCount.objects.create(day=timezone.localdate(), path="/", views=5)

    # step 1: what will be deleted
    response = admin_client.post(ERASE, {"email": "Lea@Example.org"})
    assert response.status_code == 200
    assert "3 enregistrements seront supprimés définitivement" in " ".join(
        response.content.decode().split()
    )
    assert Signup.objects.filter(email__iexact="lea@example.org").count() == 2

    # step 2: confirmed
    response = admin_client.post(ERASE, {"email": "Lea@Example.org", "confirm": "True"})
    assert response.status_code == 302
    assert not Signup.objects.filter(email__iexact="lea@example.org").exists()
    assert set(Signup.objects.values_list("email", flat=True)) == {
        "paul@example.org",
        "eve@example.org",
    }
    assert [s.form_data for s in FormSubmission.objects.all()] == [{"e_mail": "autre@example.org"}]
    assert not RateCounter.objects.filter(key__startswith=protection.KEY_PREFIX + "email").exists()
    # the audience holds no personal data: its aggregated counts stay
    assert PageViewCount.objects.get().views == 5
    # only an anonymous count remains
    tally = ErasureTally.objects.get()
    assert (tally.month, tally.requests, tally.records) == (
        timezone.localdate().replace(day=1),
        1,
        3,
    )
    row = {f.name: getattr(tally, f.name) for f in ErasureTally._meta.fields}
    assert not any("lea" in str(v).lower() for v in row.values())


def test_erasure_before_the_worker_runs_means_no_mail(
    signup_site, client, relais_tasks, django_capture_on_commit_callbacks
):
    from django.core import mail

    from cms.members import erasure
    from tests.members.helpers import form_data

    with django_capture_on_commit_callbacks(execute=True):
        client.post(signup_site["url"], form_data(client, signup_site["url"]))
    erasure.erase("lea.martin@example.org", Site.objects.get())
    results = [r.task.call(*r.args) for r in relais_tasks.results]
    # the acknowledgement, the notification and the newsletter's confirmation: none is sent
    assert results == [False, False, False] and mail.outbox == []


def test_signup_page_is_not_listed_among_generic_form_submissions(signups, admin_client):
    response = admin_client.get("/admin/forms/")
    assert response.status_code == 200
    assert "Adhérer" not in [p.title for p in response.context["object_list"]]


def test_sign_ups_past_the_retention_period_are_deleted_each_night(signup_site, settings):
    from cms.members.tasks import purge_expired_signups
    from cms.publishing.clock import JOBS, nightly

    page = signup_site["page"]
    now = timezone.now()
    settings.RELAIS_SIGNUP_RETENTION_DAYS = 1095
    old = make_signup(page, email="ancien@example.org", created_at=now - dt.timedelta(days=1100))
    kept = make_signup(page, email="recent@example.org", created_at=now - dt.timedelta(days=1000))
    legacy_old = FormSubmission.objects.create(page=page, form_data={"e_mail": "a@example.org"})
    FormSubmission.objects.filter(pk=legacy_old.pk).update(
        submit_time=now - dt.timedelta(days=1200)
    )
    legacy_kept = FormSubmission.objects.create(page=page, form_data={"e_mail": "b@example.org"})

    job = next(j for j in JOBS if j.name == "members_purge_expired")
    assert job.due is nightly
    assert purge_expired_signups.call() == 2
    assert list(Signup.objects.all()) == [kept] and not Signup.objects.filter(pk=old.pk).exists()
    assert list(FormSubmission.objects.all()) == [legacy_kept]

    settings.RELAIS_SIGNUP_RETENTION_DAYS = 0  # keep everything
    make_signup(page, email="tres-ancien@example.org", created_at=now - dt.timedelta(days=5000))
    assert purge_expired_signups.call() == 0 and Signup.objects.count() == 2


def every_control_character() -> str:
    """``\\x00``..``\\x1f`` and ``\\x7f``: what a row saved before input was cleaned may hold
    (PostgreSQL cannot store ``\\x00`` at all: there, the others)."""
    first = 1 if connection.vendor == "postgresql" else 0
    return "".join(chr(c) for c in range(first, 32)) + "\x7f"


def test_exports_download_whatever_a_sign_up_holds(signups, admin_client, signup_site):
    bad = every_control_character()
    make_signup(
        signup_site["page"],
        name=f"Zoé{bad}Dupont",
        email="zoe@example.org",
        school=f"=1+1{bad}",
        answers={f"Question{bad}": f"Réponse{bad}", "Autre": "=SUM(A1)"},
        class_year=2012,
    )
    response = admin_client.get(f"{INDEX}?export=xlsx&class_year=2012")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    heading = list(rows[0])
    zoe = dict(zip(heading, next(r for r in rows if "zoe@example.org" in r), strict=True))
    for value in (zoe["Nom et prénom"], zoe["École"]):
        assert not ILLEGAL_CHARACTERS_RE.search(value)
    assert zoe["Nom et prénom"].startswith("Zoé") and zoe["Nom et prénom"].endswith("Dupont")
    answers = zoe["Réponses aux questions supplémentaires"]
    assert "Question" in answers and "Réponse" in answers and "Autre : =SUM(A1)" in answers

    response = admin_client.get(f"{INDEX}?export=csv&class_year=2012")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    zoe = next(r for r in rows if r["E-mail"] == "zoe@example.org")
    assert not ILLEGAL_CHARACTERS_RE.search(text)
    assert zoe["Nom et prénom"].startswith("Zoé") and zoe["Nom et prénom"].endswith("Dupont")
    assert zoe["École"].startswith("'=1+1")  # a formula stays text


def test_the_listing_names_networks_as_people_do(signups, admin_client):
    soup = BeautifulSoup(admin_client.get(INDEX).content, "html.parser")
    rows = {
        name: " ".join(r.get_text(" ", strip=True).split())
        for r in soup.select("table.listing tbody tr")
        for name in ("Paul Durand", "Léa Martin")
        if name in r.get_text()
    }
    assert " LinkedIn " in rows["Paul Durand"] and " linkedin " not in rows["Paul Durand"]
    assert " Mastodon " in rows["Léa Martin"]
    # still sorted by the stored key
    assert admin_client.get(f"{INDEX}?ordering=last_network").status_code == 200
