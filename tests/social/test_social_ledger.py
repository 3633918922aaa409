"""The ledger on the ``Delivery`` model: the library's protocol with compare-and-set writes, and
exactly once through the Django side under injected faults."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cms.publishing import export
from cms.publishing.models import ExportRecord
from cms.social import delivery as delivery_module
from cms.social.delivery import deliver
from cms.social.ledger import DjangoLedger
from cms.social.models import Delivery, SocialAccount
from cms.social.planning import plan
from syndication.ledger import Ledger, State
from syndication.text import without_utm
from tests.cms.factories import make_item
from tests.social.support import make_account


def test_django_ledger_is_a_ledger_with_compare_and_set(site_tree, fakes):
    account = make_account(site_tree["site"], fakes["x"])
    ledger = DjangoLedger()
    assert isinstance(ledger, Ledger)
    entry = ledger.get_or_create("actualites/a", str(account.pk), "x")
    assert (entry.state, entry.version) == (State.PENDING, 0)
    assert ledger.get_or_create("actualites/a", str(account.pk), "x") == entry
    now = timezone.now()
    sending = ledger.update(entry, state=State.SENDING, attempt=1, updated_at=now, attempted_at=now)
    assert sending is not None and sending.version == 1
    # a second worker holding the old version cannot move it
    assert ledger.update(entry, state=State.SENDING, attempt=1) is None
    row = Delivery.objects.get(item_key="actualites/a")
    assert (row.state, row.version, row.attempt, row.attempted_at) == ("sending", 1, 1, now)
    assert [e.item_key for e in ledger.unfinished()] == ["actualites/a"]
    sent = ledger.update(sending, state=State.SENT, remote_id="1", remote_url="https://x.com/1")
    assert sent is not None and list(ledger.unfinished()) == []
    with pytest.raises(TypeError, match="cannot be changed"):
        ledger.update(sent, item_key="other")


ITEMS = 8


def test_exactly_once_through_the_django_side_under_30_percent_faults(
    site_tree, fakes, settings, admin_user
):
    """Every item to every fake with 30 % of the requests failing (resets after the post was
    made, timeouts, 5xx, rate limits): each post exists once, none is lost."""
    settings.RELAIS_SITE_URL = "https://alumni.example.org"
    settings.RELAIS_SOCIAL_DELIVERY = {
        "timeout": 0.15,
        "max_inline_delay": 3600,
        "max_attempts": 15,
        "sending_lease": 0,
        "resume_every": 0,
    }
    networks = ["mastodon", "x", "linkedin", "facebook"]
    accounts = [make_account(site_tree["site"], fakes[n], owner=admin_user) for n in networks]
    for i, name in enumerate(networks):
        fakes[name].stall = 0.3
        fakes[name].faults.randomize(0.3, seed=200 + i)

    def settle(seconds: float) -> None:  # what waiting gives: requests in flight have landed
        for name in networks:
            fakes[name].wait_idle()

    delivery_module.sleep = settle
    pages = []
    for n in range(ITEMS):
        page = make_item(site_tree, publish=False, title=f"Article numéro {n}", slug=f"article-{n}")
        page.save_revision().publish()  # no export task: written below, without a build
        record = export.export_page(page)
        ExportRecord.objects.filter(pk=record.pk).update(
            live_at=timezone.now(), first_live_at=timezone.now()
        )
        record.refresh_from_db()
        pages.append((page, record))
    for page, record in pages:
        for planned in plan(page, record, accounts=accounts):
            deliver(planned.pk)
    for _ in range(3):  # what the resume task does for what is left
        for left in Delivery.objects.exclude(state__in=["sent", "failed", "skipped"]):
            Delivery.objects.filter(pk=left.pk).update(
                retry_at=timezone.now() - dt.timedelta(seconds=1)
            )
            deliver(left.pk)

    assert Counter(Delivery.objects.values_list("state", flat=True)) == {
        "sent": ITEMS * len(networks)
    }
    expected = {f"https://alumni.example.org/actualites/article-{n}/" for n in range(ITEMS)}
    for name in networks:
        counts = Counter(without_utm(link) for link in fakes[name].published_links())
        assert {u: c for u, c in counts.items() if c > 1} == {}, f"{name}: duplicates"
        assert set(counts) == expected, f"{name}: lost {expected - set(counts)}"
        assert sum(fakes[name].faults.injected.values()) >= 3, name
    injected = Counter()
    for name in networks:
        injected.update(fakes[name].faults.injected)
    assert injected["reset_after"] + injected["timeout_after"] + injected["error_500_after"] > 0


def test_the_ledger_report_downloads_whatever_a_network_answered(site_tree, client, admin_user):
    """A network's error text, or an account name, may hold control characters: the report's
    Excel and CSV exports still download, cleaned, and a value like a formula stays text."""
    first = 1 if connection.vendor == "postgresql" else 0
    controls = "".join(chr(c) for c in range(first, 32)) + "\x7f"
    account = SocialAccount.objects.create(
        site=site_tree["site"], network="mastodon", display_name=f"Alumni{controls}", remote_id="1"
    )
    Delivery.objects.create(
        account=account,
        item_key="actualites/a",
        network="mastodon",
        state=State.FAILED,
        reason=f'=HYPERLINK("x") {controls}<html>erreur</html>',
    )
    client.force_login(admin_user)
    response = client.get("/admin/social/deliveries/", {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any(v.startswith('=HYPERLINK("x")') and v.endswith("erreur</html>") for v in values)
    assert not any(ILLEGAL_CHARACTERS_RE.search(v) for v in values)

    response = client.get("/admin/social/deliveries/", {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert not ILLEGAL_CHARACTERS_RE.search(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
