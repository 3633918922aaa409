"""Rows counted before the validation rules are cleaned by the migration that adds the source."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps

from cms.audience.models import PageViewCount

migration = importlib.import_module("cms.audience.migrations.0002_pageviewcount_source")


def test_stored_personal_values_are_dropped_and_rows_merged(db):
    day = dt.date(2026, 11, 25)
    make = PageViewCount.objects.create
    make(day=day, path="/", network="mastodon", medium="social", campaign="actualites", views=3)
    make(day=day, path="/", network="lea@example.org", views=2)
    make(day=day, path="/", network="+33612345678", views=1)
    make(day=day, path="/", network="", campaign="paul@example.org", views=4)
    make(day=day, path="/", network="newsletter", medium="email", views=5)
    make(day=day, path="/", network="twitter", views=6)
    migration.clean_stored_values(apps, None)
    rows = {
        (r.network, r.source, r.medium, r.campaign): r.views for r in PageViewCount.objects.all()
    }
    assert rows == {
        ("mastodon", "", "social", "actualites"): 3,
        ("", "", "", ""): 7,
        ("", "newsletter", "email", ""): 5,
        ("x", "", "", ""): 6,
    }
