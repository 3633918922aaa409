"""The invitation: exported as an item of the site with its link to the form, posted on the
networks like any item, and sent by e-mail to the confirmed subscribers of the news, each with
a personal link that answers once."""

from __future__ import annotations

import re

from django.core import mail

from cms.publishing.models import ExportRecord
from cms.social.models import Delivery
from cms.surveys.models import SurveyAnswer, SurveyInvitation
from tests.social.conftest import fakes, social_settings  # noqa: F401
from tests.social.support import make_account
from tests.surveys.conftest import make_survey, names, subscriber

LINK = re.compile(r"http://testserver/enquetes/\d+/[\w-]+/")


def test_the_invitation_is_exported_with_its_link_and_posted_on_the_networks(
    site_tree,
    fakes,  # noqa: F811
    admin_user,
    django_capture_on_commit_callbacks,
):
    for network in ("mastodon", "linkedin"):
        make_account(site_tree["site"], fakes[network], owner=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        survey = make_survey(site_tree, members_only=False)

    record = ExportRecord.objects.get(page_id=survey.pk)
    assert record.path == "association/enquete-services.md" and record.first_live_at
    paths = survey.association.paths
    content = (paths.content / record.path).read_text(encoding="utf-8")
    assert "title: Enquête sur nos services" in content
    assert "Dites-nous ce que vous pensez" in content
    assert f"[Répondre à l’enquête](http://testserver/enquetes/{survey.pk}/)" in content
    assert "anonyme" in content
    built = (paths.output / "association" / "enquete-services" / "index.html").read_text()
    assert f'href="http://testserver/enquetes/{survey.pk}/"' in built  # the site links the form

    deliveries = {d.network: d for d in Delivery.objects.filter(page_id=survey.pk)}
    assert set(deliveries) == {"mastodon", "linkedin"}
    assert all(d.state == "sent" for d in deliveries.values()), deliveries
    post = fakes["mastodon"].posts[0]
    assert "Enquête sur nos services" in post["text"]
    assert "/association/enquete-services/" in post["text"]  # the item's page on the site
    assert len(fakes["linkedin"].posts) == 1


def test_invitations_go_once_to_each_confirmed_subscriber_with_a_personal_link(
    site_tree, client, admin_user, django_capture_on_commit_callbacks
):
    site = site_tree["site"]
    lea = subscriber(site, "lea@example.org", name="Léa")
    marc = subscriber(site, "marc@example.org")
    subscriber(site, "attente@example.org", status="pending")
    subscriber(site, "parti@example.org", status="unsubscribed")
    survey = make_survey(site_tree)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/surveys/{survey.pk}/invitations/")
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["lea@example.org", "marc@example.org"]
    links = {}
    for message in mail.outbox:
        assert message.subject.startswith("Enquête : Enquête sur nos services")
        (link,) = set(LINK.findall(message.body))
        assert link in message.alternatives[0][0]
        links[message.to[0]] = link
        person = lea if message.to[0] == "lea@example.org" else marc
        unsubscribe = f"http://testserver/n/desabonnement/{person.unsubscribe_token}/"
        assert unsubscribe in message.body
        assert message.extra_headers["List-Unsubscribe"].startswith(f"<{unsubscribe}>")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Bonjour Léa," in next(m for m in mail.outbox if m.to == ["lea@example.org"]).body
    assert links["lea@example.org"] != links["marc@example.org"]
    assert set(SurveyInvitation.objects.values_list("state", flat=True)) == {"sent"}

    # the personal link answers once
    url = links["lea@example.org"].removeprefix("http://testserver")
    fields = names(survey)
    data = {fields["comment"]: "Amis", fields["votre"]: "5"}
    assert client.post(url, data).status_code == 200
    assert client.post(url, data).status_code == 409
    assert SurveyAnswer.objects.count() == 1

    # sending again invites only the new subscribers
    mail.outbox.clear()
    subscriber(site, "nina@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/surveys/{survey.pk}/invitations/")
    assert [m.to[0] for m in mail.outbox] == ["nina@example.org"]
    page = client.get(f"/admin/surveys/{survey.pk}/")
    assert "Envoyées : 3" in page.content.decode() and "liens utilisés : 1" in page.content.decode()


def test_no_invitation_for_a_draft_survey(site_tree, client, admin_user):
    subscriber(site_tree["site"], "lea@example.org")
    survey = make_survey(site_tree, publish=False)
    client.force_login(admin_user)
    response = client.post(f"/admin/surveys/{survey.pk}/invitations/", follow=True)
    assert "publiez-la" in response.content.decode()
    assert not mail.outbox and not SurveyInvitation.objects.exists()
