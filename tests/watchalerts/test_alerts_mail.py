"""The alerts' daily mail, to a real SMTP server on loopback: the alerts of the last day each
follower follows, once a day at most (the day claimed before it leaves), nothing when nothing
is new, not before the hour, and a signed one-click opt-out that needs no account."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cms.watch import alerts
from cms.watch.checking import run_cycle
from cms.watch.models import Alert, AlertFollow, AlertPreference, AlertRule, Source, WatchEntry
from tests.federation.builders import member_of


def setup_alerts(two, web) -> dict:
    a = two["a"]
    site = a["site"]
    Source.objects.create(site=site, url=web.url("/presse.rss"), title="Presse")
    school = AlertRule.objects.create(site=site, kind="keyword", word="ENILC")
    AlertRule.objects.create(site=site, kind="keyword", word="plasturgie")
    AlertFollow.objects.create(user=a["user"], site=site)  # alice: everything
    bea = member_of(a["association"], "editors", username="bea")
    AlertFollow.objects.create(user=bea, site=site, rule=school)  # bea: the school only
    member_of(a["association"], "editors", username="carl")  # follows nothing
    quiet = member_of(a["association"], "editors", username="dora")
    AlertFollow.objects.create(user=quiet, site=site)
    AlertPreference.objects.create(user=quiet, daily_email=False)  # opted out
    run_cycle(now=timezone.now())
    assert Alert.objects.count() == 2
    return {"alice": a["user"], "bea": bea, "school": school}


def test_each_follower_gets_the_alerts_of_the_day_once(two, web, smtp):
    setup_alerts(two, web)
    now = timezone.now()
    # before the hour nothing leaves
    dawn = timezone.localtime(now).replace(hour=5, minute=0)
    assert alerts.send_alert_digests(dawn) == 0 and smtp.messages == []

    assert alerts.send_alert_digests(now, force=True) == 2
    assert sorted(smtp.recipients()) == ["alice@example.org", "bea@example.org"]
    [to_alice] = smtp.to("alice@example.org")
    text = to_alice.get_content()
    assert to_alice["Subject"] == "Veille : 2 alertes"
    assert "L'ENILC ouvre un master en chimie verte" in text and "Salon de la plasturgie" in text
    assert "== Alumni A ==" in text
    [to_bea] = smtp.to("bea@example.org")
    assert to_bea["Subject"] == "Veille : 1 alerte" and "Salon" not in to_bea.get_content()
    assert "/veille/alertes/" in to_alice["List-Unsubscribe"]
    assert str(to_alice["List-Unsubscribe"]).strip(" <>") in text  # the same link in the text

    # once a day: later the same day, nothing again (the day is recorded per person); the
    # day's last second, not "in five minutes", which is tomorrow after 23:55
    last_second = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
    assert alerts.send_alert_digests(last_second, force=True) == 0
    assert len(smtp.messages) == 2
    # the next day, nothing new: no mail
    tomorrow = now + timedelta(days=1)
    assert alerts.send_alert_digests(tomorrow, force=True) == 0
    # something new the next day: one more mail to whoever follows it
    entry = WatchEntry.objects.create(
        site=two["a"]["site"],
        source=Source.objects.get(),
        link="https://presse.example/articles/enilc-prix",
        title="L'ENILC reçoit un prix",
        published=now,
        story_key="presse.example/articles/enilc-prix",
    )
    [new] = alerts.raise_alerts(two["a"]["site"].pk, [entry])
    Alert.objects.filter(pk=new.pk).update(created_at=now + timedelta(hours=12))
    assert alerts.send_alert_digests(tomorrow, force=True) == 2
    assert "L'ENILC reçoit un prix" in smtp.to("bea@example.org")[-1].get_content()
    assert "chimie verte" not in smtp.to("bea@example.org")[-1].get_content()  # yesterday's


def test_the_day_is_claimed_before_the_mail_leaves(two, web, smtp):
    people = setup_alerts(two, web)
    today = timezone.localdate()
    # another run claimed alice's mail of today: it does not leave twice
    AlertPreference.objects.create(user=people["alice"], last_digest_on=today)
    assert alerts.send_alert_digests(force=True) == 1
    assert smtp.recipients() == ["bea@example.org"]


def test_the_opt_out_link_stops_the_mail_without_an_account(two, web, smtp, client):
    people = setup_alerts(two, web)
    url = alerts.opt_out_url(people["alice"])
    path = url.removeprefix("http://testserver")
    page = client.get(path)  # a mail server's link scanner changes nothing
    assert page.status_code == 200 and "Me désabonner" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert AlertPreference.for_user(people["alice"]).daily_email
    done = client.post(path)  # one click (RFC 8058), no session, no CSRF token
    assert done.status_code == 200 and "C'est fait" in done.content.decode()
    assert not AlertPreference.for_user(people["alice"]).daily_email
    assert alerts.send_alert_digests(force=True) == 1
    assert smtp.recipients() == ["bea@example.org"]
    # an altered token is not found and changes nothing
    assert client.post(path[:-3] + "xyz/").status_code == 404
    assert AlertPreference.for_user(people["bea"]).daily_email
    # and back in the admin, the person turns it on again
    client.force_login(people["alice"])
    client.post("/admin/watch/alerts/email/", {"daily_email": "1"})
    assert AlertPreference.for_user(people["alice"]).daily_email
