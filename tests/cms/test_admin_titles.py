"""Every page Relais adds to the admin has a title in the browser's tab: the URL resolver lists
them (the views written in ``cms/``), each is opened as a superuser, and the ``<title>`` of each
HTML page must name it before the admin's own name ("Statistiques - Relais")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from cms.members.models import Signup
from cms.social.models import Delivery, SocialAccount
from tests.cms.factories import make_item

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def original(view: Any) -> Any:
    """The view as written: Wagtail wraps the admin's views (admin access, localisation),
    with ``functools.wraps`` or in a closure."""
    for _ in range(10):
        view = getattr(view, "view_class", view)
        if getattr(view, "__module__", "").startswith("cms."):
            return view
        inner = getattr(view, "__wrapped__", None)
        if inner is None:
            cells = [c.cell_contents for c in getattr(view, "__closure__", None) or ()]
            inner = next((c for c in cells if callable(c) and hasattr(c, "__module__")), None)
        if inner is None:
            return view
        view = inner
    return view


def admin_routes() -> list[tuple[str, str, Any]]:
    """(route, name, view) of every admin URL whose view is written in ``cms/``."""
    found: list[tuple[str, str, Any]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                view = original(entry.callback)
                route = prefix + str(entry.pattern)
                if view.__module__.startswith("cms.") and route.startswith("admin/"):
                    name = f"{namespace}:{entry.name}".lstrip(":") if entry.name else ""
                    found.append((route, name, view))

    walk(get_resolver().url_patterns, "", "")
    return found


@pytest.fixture
def objects(site_tree, admin_user) -> dict[str, Any]:
    item = make_item(site_tree)
    account = SocialAccount.objects.create(
        site=site_tree["site"],
        network="mastodon",
        display_name="Alumni",
        remote_id="1@mastodon.example",
        base_url="https://mastodon.example",
    )
    delivery = Delivery.objects.create(
        account=account,
        page=item,
        item_key="actualites/nomination-lea-martin",
        network="mastodon",
        state="failed",
        reason="refused with 422",
        updated_at=timezone.now(),
    )
    signup = Signup.objects.create(
        name="Léa Martin", email="lea@example.org", consent_text="oui", consented_at=timezone.now()
    )
    return {"item": item, "account": account, "delivery": delivery, "signup": signup}


def url_for(route: str, name: str, objects: dict[str, Any]) -> str:
    """The route with its parameters filled from the objects of the test."""

    def value(match: re.Match) -> str:
        parameter = match.group(2)
        if parameter == "page_id":
            return str(objects["item"].pk)
        if parameter == "parent_id":
            return str(objects["item"].get_parent().pk)
        if parameter == "network":
            return "mastodon"
        if parameter == "table":
            return "reseaux"
        if parameter == "app_label":
            return "content"
        if parameter == "model_name":
            return "alumninewspage"
        if parameter == "app_name":  # a tag model's (the tag suggestions)
            return "taggit"
        if parameter == "action":  # a bulk action's
            return "delete"
        if parameter == "pk":
            if name.startswith("members_signup"):
                return str(objects["signup"].pk)
            if "delivery" in name:
                return str(objects["delivery"].pk)
            return str(objects["account"].pk)
        raise AssertionError(f"{route}: no value for <{parameter}> in this test")

    path = PARAMETER.sub(value, route).replace("^", "").replace("$", "")
    return "/" + path


def test_every_relais_admin_page_has_a_title(objects, client, admin_user):
    client.force_login(admin_user)
    titled, untitled = [], []
    for route, name, _view in admin_routes():
        response = client.get(url_for(route, name, objects))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue  # redirects, downloads, JSON, POST-only actions
        document = BeautifulSoup(response.content, "html.parser")
        if document.html is None:
            continue  # a fragment the page fetches (the results of a listing's filters)
        title = document.title
        text = title.get_text(" ", strip=True) if title else ""
        own = re.sub(r"\s*-\s*[^-]*$", "", text).strip()  # without " - <the admin's name>"
        (titled if own else untitled).append(name or route)
        if text != own:  # the admin's name is the product its users know
            assert text.endswith(" - Relais"), (name or route, text)
    assert untitled == []
    # the pages the issue named, among the others: the walk did reach them
    assert {"stats_index", "stats_contributors", "members_signup:erase"} <= set(titled)
    assert {"relais_site_status", "social_accounts", "social_page_deliveries"} <= set(titled)
