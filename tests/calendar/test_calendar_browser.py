"""Drag-to-reschedule in a real browser: a post dragged to another day of the week view keeps
its time of day, dropped on a posting slot it takes the slot's time; the post's ``post_at``
in the database is what moved. A move the server refuses (a day in the past) moves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import Site

from cms.content.models import HomePage, SectionIndexPage
from cms.social.models import Delivery, PostingSlot
from relais.sections import SECTIONS
from tests.calendar.support import account, post
from tests.cms.factories import make_item, root_page

pytestmark = pytest.mark.browser


@pytest.fixture
def tree(transactional_db, live_server, settings, tmp_path, django_user_model):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    settings.RELAIS_SITE_URL = "http://127.0.0.1:9"  # the association's site: not reached here
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    root = root_page()
    home = root.add_child(instance=HomePage(title="Alumni Exemple", slug="alumni"))
    Site.objects.all().delete()
    site = Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Alumni"
    )
    indexes = {
        key: home.add_child(instance=SectionIndexPage(title=s.label_fr, slug=key, section=key))
        for key, s in SECTIONS.items()
    }
    django_user_model.objects.create_superuser("redactrice", "r@example.org", "mot-de-passe")
    return {"site": site, "indexes": indexes, "admin": live_server.url}


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_dragging_a_post_moves_its_post_at(tree, page):
    item = make_item(tree, title="Gala des anciens", slug="gala")
    acc = account(tree["site"], "linkedin")
    today = timezone.localdate()
    # next week: Wednesday 10:30 → Thursday (same time) → the Friday 08:15 slot
    wednesday = today + dt.timedelta(days=7 - today.weekday() + 2)
    thursday, friday = wednesday + dt.timedelta(days=1), wednesday + dt.timedelta(days=2)
    PostingSlot.objects.create(account=acc, weekday=4, time=dt.time(8, 15))
    waiting = post(acc, item, post_at=local(wednesday, 10, 30))
    admin = tree["admin"]
    page.goto(f"{admin}/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill("redactrice")
    page.locator("#id_password").fill("mot-de-passe")
    page.get_by_role("button", name="S'identifier").click()
    page.wait_for_url(f"{admin}/admin/")
    page.goto(f"{admin}/admin/calendrier/?view=week&date={wednesday.isoformat()}")
    entry = page.locator(f'[data-calendar-entry="post-{waiting.pk}"]')
    status = page.locator("[data-calendar-status]")

    entry.drag_to(page.locator(f'td[data-calendar-day="{thursday.isoformat()}"]'))
    status.filter(has_text="déplacée").wait_for()
    waiting.refresh_from_db()
    assert waiting.post_at == local(thursday, 10, 30)
    thursday_cell = page.locator(f'td[data-calendar-day="{thursday.isoformat()}"]')
    assert thursday_cell.locator(f'[data-calendar-entry="post-{waiting.pk}"]').count() == 1

    page.evaluate("document.querySelector('[data-calendar-status]').textContent = ''")
    slot = page.locator(f'li[data-calendar-slot="08:15"][data-calendar-day="{friday.isoformat()}"]')
    entry.drag_to(slot)
    status.filter(has_text="déplacée").wait_for()
    waiting.refresh_from_db()
    assert waiting.post_at == local(friday, 8, 15)
    assert entry.locator("[data-calendar-time]").inner_text() == "08:15"

    # a day in the past (the week shown is to come: its Monday is made yesterday, as a stale
    # page would have it): the server refuses, the post stays where it is
    page.goto(f"{admin}/admin/calendrier/?view=week&date={friday.isoformat()}")
    before = Delivery.objects.get(pk=waiting.pk).post_at
    page.evaluate(
        "day => document.querySelector('td[data-calendar-day]').dataset.calendarDay = day",
        (today - dt.timedelta(days=1)).isoformat(),
    )
    page.locator(f'[data-calendar-entry="post-{waiting.pk}"]').drag_to(
        page.locator("td[data-calendar-day]").first
    )
    page.locator("[data-calendar-status].error-message").wait_for()
    assert "déjà passé" in page.locator("[data-calendar-status]").inner_text()
    assert Delivery.objects.get(pk=waiting.pk).post_at == before
