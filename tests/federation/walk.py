"""The isolation walk: every URL of the admin, from the URL resolver, visited as a user of one
association with the ids of another's objects.

:func:`admin_routes` lists every URL pattern under ``/admin/`` (resolvers walked recursively,
nothing listed by hand); :func:`build_urls` fills each pattern's parameters with the other
association's objects (by the parameter's name, and for ``pk`` by the part of the admin it is
in); :class:`Walk` requests each URL — plain, searched for the marker, with the other site
chosen (``?site=``), exported, and POSTed to with a form that would change or delete — and
records every response that shows the marker and every POST after which the other
association's data is no longer the same.

A parameter the walk does not know how to fill is reported too: a new view with a new kind of
parameter must be taught to the walk (:data:`BY_NAME`, :data:`PK_BY_ROUTE`), so that it is
walked as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from wagtail.admin.views.bulk_action.registry import bulk_action_registry

#: URLs the walk does not request, each harmless by construction (and why).
ALLOWED: dict[str, str] = {
    "admin/logout/": "ends the session the walk runs in; shows nothing",
    "admin/failwhale/": "Wagtail's page for testing the server error page: raises on purpose",
    "admin/password_reset/": "asks for an e-mail address, shows no object",
    "admin/password_reset/done/": "static confirmation",
    "admin/password_reset/confirm/<uidb64>/<token>/": "a one-time link of one user",
    "admin/password_reset/complete/": "static confirmation",
    "admin/jsi18n/": "Wagtail's translations as JavaScript (static)",
    "admin/sprite/": "Wagtail's icons (static)",
}


@dataclass(frozen=True)
class Route:
    """One URL pattern of the admin: its route as written (``admin/pages/<int:page_id>/``),
    the name to reverse it by (with its namespaces), and its parameters with their kinds."""

    route: str
    name: str | None
    params: dict[str, str]
    regex_parts: tuple[str, ...]


def _params(pattern: Any) -> dict[str, str]:
    if isinstance(pattern, RoutePattern):
        return {name: type(conv).__name__ for name, conv in pattern.converters.items()}
    if isinstance(pattern, RegexPattern):
        return {name: "regex" for name in pattern.regex.groupindex}
    return {}


def admin_routes(resolver: URLResolver | None = None) -> list[Route]:
    """Every URL pattern under ``admin/``, from the project's URL resolver."""

    def walk(
        patterns: list[Any],
        prefix: str,
        names: tuple[str, ...],
        params: dict[str, str],
        parts: tuple[str, ...],
    ) -> Iterator[Route]:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            merged = {**params, **_params(entry.pattern)}
            here = (*parts, str(entry.pattern))
            if isinstance(entry, URLResolver):
                space = (*names, entry.namespace) if entry.namespace else names
                yield from walk(entry.url_patterns, route, space, merged, here)
            elif isinstance(entry, URLPattern):
                name = ":".join((*names, entry.name)) if entry.name else None
                yield Route(route, name, merged, here)

    found = walk((resolver or get_resolver()).url_patterns, "", (), {}, ())
    return [r for r in found if r.route.startswith("admin/")]


def _regex_to_path(regex: str, values: dict[str, Any]) -> str:
    """A path matching a regular-expression route, its named groups filled with ``values``."""
    path = regex.lstrip("^").rstrip("$")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), path)
    return path.replace("\\.", ".").replace(".*", "autre")


def _route_to_path(route: str, values: dict[str, Any]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def url_of(route: Route, values: dict[str, Any]) -> str:
    """The URL of ``route`` with its parameters filled (by hand: the same path as reversing
    would give, also for the patterns that have no name)."""
    out = ""
    for part in route.regex_parts:
        if part.startswith("^") or part.endswith("$") or "(?P<" in part:
            out += _regex_to_path(part, values)
        else:
            out += _route_to_path(part, values)
    return "/" + out


# -- what to fill parameters with ----------------------------------------------------------------

#: The values the walk fills a parameter with, by its name: an object of the other association
#: (``objects[...]``), or a fixed value where the parameter names a kind of thing.
BY_NAME: dict[str, Callable[[dict[str, Any], Route], Any]] = {
    # Wagtail's form submissions and the surveys' results are walked on a survey (cms.surveys)
    "page_id": lambda o, r: (
        o["survey"].pk if r.route.startswith(("admin/forms/", "admin/surveys/")) else o["item"].pk
    ),
    "parent_page_id": lambda o, r: o["index"].pk,
    "page_to_move_id": lambda o, r: o["item"].pk,
    "destination_id": lambda o, r: o["index"].pk,
    "parent_id": lambda o, r: o["index"].pk,
    "page_pk": lambda o, r: o["item"].pk,
    "workflow_pk": lambda o, r: o["workflow"].pk,
    "revision_id": lambda o, r: o["revision"].pk,
    "revision_id_a": lambda o, r: "earliest",
    "revision_id_b": lambda o, r: "latest",
    "task_state_id": lambda o, r: o["task_state"].pk,
    "workflow_state_id": lambda o, r: o["workflow_state"].pk,
    "task_id": lambda o, r: o["task"].pk,
    "image_id": lambda o, r: o["image"].pk,
    "document_id": lambda o, r: o["document"].pk,
    "doc_id": lambda o, r: o["document"].pk,
    "uploaded_file_id": lambda o, r: o["image"].pk,
    "collection_id": lambda o, r: o["collection"].pk,
    "redirect_id": lambda o, r: o["redirect"].pk,
    "session_id": lambda o, r: o["editing_session"].pk,
    "object_id": lambda o, r: o["item"].pk,
    "network": lambda o, r: o["account"].network,
    "table": lambda o, r: "articles",
    "filter_spec": lambda o, r: "max-100x100",
    "action_name": lambda o, r: "approve",
    "uidb64": lambda o, r: "MQ",
    "token": lambda o, r: "expire",
}

#: What ``pk`` names, by the part of the admin the route is in (the longest match wins).
PK_BY_ROUTE: dict[str, str] = {
    "admin/api/main/^pages/": "item",
    "admin/api/main/^images/": "image",
    "admin/api/main/^documents/": "document",
    "admin/collections/": "collection",
    "admin/workflows/": "workflow",
    "admin/workflows/tasks/": "task",
    "admin/workflows/task_chooser/": "task",
    "admin/snippets/taxonomy/classyear/": "class_year",
    "admin/snippets/choose/taxonomy/classyear/": "class_year",
    "admin/snippets/taxonomy/group/": "group",
    "admin/snippets/choose/taxonomy/group/": "group",
    "admin/snippets/taxonomy/contributor/": "contributor",
    "admin/snippets/choose/taxonomy/contributor/": "contributor",
    "admin/adhesions/": "signup",
    "admin/settings/": "site",
    "admin/sites/": "site",
    "admin/users/": "user",
    "admin/groups/": "group_of_people",
    "admin/social/accounts/": "account",
    "admin/social/deliveries/": "delivery",
    "admin/documents/chooser/": "document",
    "admin/images/chooser/": "image",
    "admin/pages/": "item",
    "admin/pool/offers/": "offer",
    "admin/conversations/": "incoming",
    "admin/snippets/federation/sector/": "sector",
    "admin/snippets/choose/federation/sector/": "sector",
    "admin/watch/sources/": "watch_source",
    "admin/watch/entries/": "watch_entry",
    "admin/watch/rules/": "watch_rule",
    "admin/watch/shared/": "watch_source",
    "admin/watch/alerts/": "watch_alert",
    "admin/watch/alerts/rules/": "watch_alert_rule",
    "admin/lettre/abonnes/": "subscriber",
    "admin/lettre/lettres/": "digest",
    "admin/ambassadeurs/": "ambassador",
    "admin/discuss/": "discussion",
    "admin/snippets/discuss/discussion/": "discussion",
    "admin/snippets/choose/discuss/discussion/": "discussion",
    "admin/calendrier/publications/": "scheduled",
    "admin/calendrier/creneaux/": "account",
}

#: Parameters naming a model (its app, its name), and the model each route names.
APP_PARAMS = {"app_label", "app_name", "content_type_app_name"}
MODEL_PARAMS = {"model_name", "content_type_model_name"}
MODEL_BY_ROUTE: dict[str, tuple[str, str]] = {
    "admin/pages/": ("content", "alumninewspage"),
    "admin/social/preview/new/": ("content", "alumninewspage"),
    "admin/workflows/tasks/add/": ("wagtailcore", "groupapprovaltask"),
    "admin/editing-sessions/": ("wagtailcore", "page"),
    "admin/settings/": ("core", "associationsettings"),
    "admin/tag-autocomplete/": ("taggit", "tag"),
}


def _longest(table: dict[str, Any], route: str) -> Any:
    matches = [key for key in table if route.startswith(key)]
    return table[max(matches, key=len)] if matches else None


class Unfillable(LookupError):
    pass


def values_for(route: Route, objects: dict[str, Any]) -> list[dict[str, Any]]:
    """Every set of values to fill ``route``'s parameters with (several for the bulk actions:
    one per registered action)."""
    names = set(route.params)
    if {"app_label", "model_name", "action"} <= names:
        bulk_action_registry._scan_for_bulk_actions()  # the hooks are read on first use
        fillings = [
            {"app_label": app_label, "model_name": model_name, "action": action}
            for app_label, models in bulk_action_registry.actions.items()
            for model_name, actions in models.items()
            for action in actions
        ]
        if not fillings:
            raise Unfillable(f"{route.route}: no bulk action is registered")
        return fillings
    values: dict[str, Any] = {}
    model = _longest(MODEL_BY_ROUTE, route.route)
    for name in sorted(names):
        if name in APP_PARAMS | MODEL_PARAMS:
            if model is None:
                raise Unfillable(f"{route.route}: which model does {name} name here?")
            values[name] = model[0] if name in APP_PARAMS else model[1]
        elif name == "pk":
            key = _longest(PK_BY_ROUTE, route.route)
            if key is None:
                raise Unfillable(f"{route.route}: which object does pk name here?")
            values[name] = objects[key].pk
        elif name in BY_NAME:
            values[name] = BY_NAME[name](objects, route)
        else:
            raise Unfillable(f"{route.route}: which object does {name} name?")
    return [values]


# -- the walk ------------------------------------------------------------------------------------


@dataclass
class Finding:
    url: str
    method: str
    status: int
    what: str

    def __str__(self) -> str:
        return f"{self.method} {self.url} → {self.status}: {self.what}"


@dataclass
class Walk:
    """Requests every admin URL as ``client``'s user, with ``objects`` of the other association
    (whose strings all contain ``marker``); ``snapshot()`` returns the other association's data
    as it is in the database."""

    client: Client
    objects: dict[str, Any]
    marker: str
    snapshot: Callable[[], Any]
    post_data: dict[str, Any]
    other_site_id: int
    visited: list[tuple[str, str, int]] = field(default_factory=list)
    leaks: list[Finding] = field(default_factory=list)
    changes: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    unfillable: list[str] = field(default_factory=list)

    def run(self, routes: list[Route]) -> Walk:
        before = self.snapshot()
        for route in routes:
            if route.route in ALLOWED:
                continue
            try:
                fillings = values_for(route, self.objects)
            except Unfillable as exc:
                self.unfillable.append(str(exc))
                continue
            for values in fillings:
                url = url_of(route, values)
                for query in self.queries(route, values):
                    self.get(url + query)
                self.post(url + self.bulk_query(values), before)
        return self

    def queries(self, route: Route, values: dict[str, Any]) -> list[str]:
        bulk = self.bulk_query(values)
        if bulk:
            return [bulk]
        out = [
            "",
            "?" + urlencode({"q": self.search, "term": self.search}),
            "?" + urlencode({"site": self.other_site_id}),
        ]
        if not route.params:
            out.append("?export=csv")
        return out

    def bulk_query(self, values: dict[str, Any]) -> str:
        """For a bulk action: the other association's objects of the action's model."""
        if "action" not in values:
            return ""
        model = f"{values['app_label']}.{values['model_name']}"
        ids = [o.pk for o in self.objects.get("bulk", {}).get(model, [])]
        return "?" + urlencode([("id", i) for i in ids] or [("id", "all")])

    @property
    def search(self) -> str:
        """What the walk searches for: the marker in small letters. A page that repeats the
        search (its box, its links) shows it so; one that found the other association's
        objects shows the marker as it is written in them."""
        return self.marker.lower()

    def check(self, method: str, url: str, response: Any) -> None:
        self.visited.append((method, url, response.status_code))
        if response.status_code >= 500:
            self.errors.append(Finding(url, method, response.status_code, "server error"))
        body = b"".join(response) if getattr(response, "streaming", False) else response.content
        shown = body.decode("utf-8", "replace") + response.get("Location", "")
        searched = f"q={self.search}" in url
        seen = shown if searched else shown.lower()
        wanted = self.marker if searched else self.marker.lower()
        if wanted in seen:
            at = seen.index(wanted)
            excerpt = " ".join(shown[max(0, at - 80) : at + 40].split())
            self.leaks.append(Finding(url, method, response.status_code, f"shows …{excerpt}…"))

    def get(self, url: str) -> None:
        """GET ``url``, following its redirects (the pages it leads to are checked too)."""
        response = self.client.get(url, follow=True)
        hops = " → ".join(target for target, _status in response.redirect_chain)
        self.check("GET", url + (f" → {hops}" if hops else ""), response)

    def post(self, url: str, before: Any) -> None:
        self.check("POST", url, self.client.post(url, self.post_data))
        after = self.snapshot()
        if after != before:
            changed = sorted(k for k in before if before[k] != after.get(k))
            self.changes.append(Finding(url, "POST", self.visited[-1][2], f"changed {changed}"))
            before.clear()
            before.update(after)

    def report(self) -> str:
        lines = [f"{len(self.visited)} requests:"]
        lines += [f"  {m} {u} → {s}" for m, u, s in self.visited]
        for title, found in (
            ("Shown to the other association", self.leaks),
            ("Changed by the other association", self.changes),
            ("Server errors", self.errors),
        ):
            if found:
                lines.append(f"{title}:")
                lines += [f"  {f}" for f in found]
        if self.unfillable:
            lines.append(
                "Parameters the walk cannot fill (teach it, see tests/federation/walk.py):"
            )
            lines += [f"  {u}" for u in self.unfillable]
        return "\n".join(lines)
