"""The one reminder before a members' survey closes: to who was invited and has not answered,
with the same personal link, sent by the worker's clock once per person, the ledger's rows
claimed before the mails leave."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from django.core import mail
from django.utils import timezone

from cms.newsletter.models import Subscriber
from cms.publishing.clock import Clock, default_jobs
from cms.surveys import tasks
from cms.surveys.invitations import InvitationSender
from cms.surveys.models import SurveyAnswer, SurveyInvitation, SurveyReminder
from cms.surveys.reminders import ReminderSender, enlist
from tests.surveys.conftest import make_survey, names, subscriber

LINK = re.compile(r"https?://[^/\s]+/enquetes/\d+/[\w-]+/")


def clock() -> Clock:
    jobs = {job.name: job for job in default_jobs()}
    return Clock("worker-test", jobs=[jobs["surveys_reminders"]])


def invite(survey, days_ago: float = 5) -> None:
    """Send the invitations now, then date them ``days_ago`` days back."""
    InvitationSender(survey, sleep=lambda _s: None).run()
    SurveyInvitation.objects.filter(survey=survey, state="sent").update(
        sent_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def closing_in(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_the_clock_reminds_once_who_was_invited_and_has_not_answered(site_tree, client, admin_user):
    site = site_tree["site"]
    for email in ("lea@example.org", "marc@example.org", "paul@example.org", "zoe@example.org"):
        subscriber(site, email)
    survey = make_survey(site_tree, closes_at=closing_in(2))  # reminders 3 days before: due
    assert survey.remind_days == 3
    invite(survey)
    links = {m.to[0]: LINK.findall(m.body)[0] for m in mail.outbox if "Enquête :" in m.subject}
    assert len(links) == 4
    # Paul answers through his link, Zoé unsubscribes from the news
    fields = names(survey)
    answer = {fields["comment"]: "Amis", fields["votre"]: "4"}
    paul = urlsplit(links["paul@example.org"]).path
    assert client.post(paul, answer).status_code == 200
    Subscriber.objects.filter(email="zoe@example.org").update(status="unsubscribed")
    # Nina subscribes late: her invitation, sent after the reminders' time, is her reminder
    subscriber(site, "nina@example.org")
    InvitationSender(survey, sleep=lambda _s: None).run()
    mail.outbox.clear()

    assert clock().run_once() == ["surveys_reminders"]  # immediate backend: it ran
    assert sorted(m.to[0] for m in mail.outbox) == ["lea@example.org", "marc@example.org"]
    for message in mail.outbox:
        assert message.subject.startswith("Rappel — enquête : Enquête sur nos services")
        assert "Petit rappel" in message.body
        person = message.to[0]
        assert LINK.findall(message.body) == [links[person]]  # the invitation's own link
        assert links[person] in message.alternatives[0][0]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/n/desabonnement/" in message.extra_headers["List-Unsubscribe"]
    assert set(SurveyReminder.objects.values_list("state", flat=True)) == {"sent"}

    # the clock again, the task again: nobody gets a second reminder
    mail.outbox.clear()
    assert clock().run_once(timezone.now() + dt.timedelta(hours=1)) == ["surveys_reminders"]
    assert tasks.send_reminders.enqueue().return_value == {str(survey.pk): 0}
    assert mail.outbox == []
    assert SurveyReminder.objects.count() == 2

    # the reminded link still answers once
    lea = urlsplit(links["lea@example.org"]).path
    assert client.post(lea, answer).status_code == 200
    assert SurveyAnswer.objects.count() == 2

    client.force_login(admin_user)
    page = client.get(f"/admin/surveys/{survey.pk}/").content.decode()
    assert "Invité·es : 5 ; ont répondu : 2 ; relancé·es : 2." in page
    assert "Un seul rappel part le" in page


def test_a_killed_worker_never_sends_a_claimed_reminder_again(site_tree):
    site = site_tree["site"]
    for email in ("lea@example.org", "marc@example.org", "paul@example.org"):
        subscriber(site, email)
    survey = make_survey(site_tree, closes_at=closing_in(1))
    invite(survey)
    mail.outbox.clear()
    assert enlist(survey) == 3
    lea, marc, _paul = SurveyReminder.objects.order_by("invitation__subscriber__email")
    # Léa's row was claimed by a worker killed before it could say whether the mail left
    SurveyReminder.objects.filter(pk=lea.pk).update(
        state="sending", attempted_at=timezone.now() - dt.timedelta(hours=1)
    )
    # Marc answered between the enlisting and the sending
    SurveyInvitation.objects.filter(pk=marc.invitation_id).update(answered_on=timezone.localdate())
    assert ReminderSender(survey, sleep=lambda _s: None).run() == 1
    assert [m.to[0] for m in mail.outbox] == ["paul@example.org"]
    states = dict(SurveyReminder.objects.values_list("invitation__subscriber__email", "state"))
    assert states == {
        "lea@example.org": "uncertain",
        "marc@example.org": "skipped",
        "paul@example.org": "sent",
    }
    mail.outbox.clear()
    assert ReminderSender(survey, sleep=lambda _s: None).run() == 0
    assert mail.outbox == []


def test_a_mail_server_down_leaves_the_reminder_to_the_next_run(site_tree):
    subscriber(site_tree["site"], "lea@example.org")
    survey = make_survey(site_tree, closes_at=closing_in(1))
    invite(survey)
    mail.outbox.clear()

    class Down:
        def open(self):
            pass

        def close(self):
            pass

        def send_messages(self, messages):
            raise ConnectionRefusedError("SMTP down")

    try:
        ReminderSender(survey, connection=Down(), sleep=lambda _s: None).run()
    except ConnectionRefusedError:
        pass
    else:
        raise AssertionError("the failure must reach the task (it is rerun)")
    (row,) = SurveyReminder.objects.all()
    assert (row.state, row.reason, row.attempts) == ("pending", "ConnectionRefusedError", 1)
    assert ReminderSender(survey, sleep=lambda _s: None).run() == 1
    assert [m.to[0] for m in mail.outbox] == ["lea@example.org"]


def test_no_reminder_without_a_closing_date_before_its_time_or_for_an_open_survey(
    site_tree, client, admin_user
):
    site = site_tree["site"]
    subscriber(site, "lea@example.org")
    no_date = make_survey(site_tree, slug="sans-date")
    early = make_survey(site_tree, slug="tot", closes_at=closing_in(10))
    closed = make_survey(site_tree, slug="close", closes_at=closing_in(1))
    switched_off = make_survey(site_tree, slug="sans-relance", closes_at=closing_in(1))
    switched_off.remind_days = None
    switched_off.save_revision().publish()
    anonymous = make_survey(site_tree, slug="anonyme", members_only=False, closes_at=closing_in(1))
    for survey in (no_date, early, closed, switched_off):
        invite(survey)
    type(closed).objects.filter(pk=closed.pk).update(closes_at=timezone.now())
    mail.outbox.clear()

    assert clock().run_once() == ["surveys_reminders"]
    assert mail.outbox == [] and not SurveyReminder.objects.exists()
    assert no_date.remind_at() is None and anonymous.remind_at() is None
    assert switched_off.remind_at() is None

    # a closing date set later gives the survey its reminder
    no_date.closes_at = closing_in(2)
    no_date.save_revision().publish()
    assert tasks.send_reminders.enqueue().return_value == {str(no_date.pk): 1}
    assert [m.to[0] for m in mail.outbox] == ["lea@example.org"]

    client.force_login(admin_user)
    page = client.get(f"/admin/surveys/{early.pk}/").content.decode()
    assert "Un seul rappel part le" in page
    page = client.get(f"/admin/surveys/{switched_off.pk}/").content.decode()
    assert "Aucun rappel prévu" in page
