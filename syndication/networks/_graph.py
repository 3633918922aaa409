"""What Facebook Pages and Instagram share: Meta's Graph API and its way of saying errors.

Meta answers most errors with HTTP 400 and a code in the body: 190 (and 102) is an invalid or
expired token, 4, 17, 32, 613 and 80001–80014 are rate limits, with the wait in the
``X-Business-Use-Case-Usage`` header (``estimated_time_to_regain_access``, in minutes).
Page tokens are long-lived and have no refresh: an expired one means reconnecting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import requests

from syndication.conversations import Watermark
from syndication.errors import PostRejected
from syndication.http import Client
from syndication.metrics import (
    NOT_FOUND,
    PERMISSION,
    REFUSED,
    PostMetrics,
    Unavailable,
    all_unavailable,
    counts,
)

AUTH_CODES = {102, 190}
RATE_LIMIT_CODES = {4, 17, 32, 613, *range(80001, 80015)}
#: Permission errors: 10 (permission denied), 200–299 (a permission is missing).
PERMISSION_CODES = {10, *range(200, 300)}
#: "Invalid parameter": a metric that is not (or no longer) one, or an object that is gone.
INVALID_CODE = 100


class GraphClient(Client):
    default_base_url = "https://graph.facebook.com"
    #: Graph API version, part of every path.
    api_version: ClassVar[str] = "v23.0"

    def path(self, *parts: str) -> str:
        return "/" + "/".join([self.api_version, *parts])

    @staticmethod
    def _error(response: requests.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            return {}
        error = data.get("error") if isinstance(data, dict) else None
        return error if isinstance(error, dict) else {}

    def error_detail(self, response: requests.Response) -> str:
        error = self._error(response)
        if error:
            return f"{error.get('message', '')} (code {error.get('code')})"
        return super().error_detail(response)

    def is_auth_failure(self, response: requests.Response) -> bool:
        return response.status_code == 401 or self._error(response).get("code") in AUTH_CODES

    def is_rate_limited(self, response: requests.Response) -> bool:
        return response.status_code == 429 or self._error(response).get("code") in RATE_LIMIT_CODES

    def retry_after(self, response: requests.Response) -> float | None:
        header = response.headers.get("X-Business-Use-Case-Usage")
        if header:
            try:
                usage = json.loads(header)
                waits = [
                    float(entry.get("estimated_time_to_regain_access") or 0) * 60
                    for entries in usage.values()
                    for entry in entries
                ]
                if waits and max(waits) > 0:
                    return max(waits)
            except (ValueError, AttributeError, TypeError):
                pass
        return super().retry_after(response)

    def edge_pages(
        self, path: str, params: dict[str, Any], *, retried: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """The pages of an edge (``/{id}/posts``...), following ``paging.cursors.after``;
        ``retried``: each page is read with :meth:`read` (tried again after a failure)."""
        params = dict(params)
        while True:
            if retried:
                data = self.read(path, params=params).json()
            else:
                data = self.request("GET", path, params=params).json()
            yield data.get("data") or []
            after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (data.get("paging") or {}).get("next"):
                return
            params["after"] = after

    def graph_code(self, exc: PostRejected) -> int | None:
        """Meta's error code in a refusal (``error_detail`` ends with ``(code N)``)."""
        found = re.search(r"\(code (\d+)\)", exc.detail or exc.message)
        return int(found.group(1)) if found else None

    def capability_call(self, capability: str, what: str, call: Callable[[], Any]) -> Any:
        """``call()``, a permission refusal (code 10, 200–299, or 403) being a
        :class:`CapabilityError`: the token lacks the permission for ``what``."""
        try:
            return call()
        except PostRejected as exc:
            if exc.status == 403 or self.graph_code(exc) in PERMISSION_CODES:
                raise self.refused_access(capability, what, exc) from None
            raise

    def read_edge(
        self, path: str, params: dict[str, Any], capability: str, what: str
    ) -> list[dict[str, Any]]:
        """Every entry of an edge (at most ``max_scan``), a permission refusal raising
        :class:`CapabilityError`."""

        def read() -> list[dict[str, Any]]:
            entries: list[dict[str, Any]] = []
            for page in self.edge_pages(path, params, retried=True):
                entries += page
                if len(entries) >= self.max_scan:
                    break
            return entries

        return self.capability_call(capability, what, read)

    @staticmethod
    def fresh_comments(
        mark: Watermark, entries: list[dict[str, Any]], time_field: str
    ) -> tuple[list[dict[str, Any]], Watermark]:
        return mark.fresh(entries, lambda c: str(c.get(time_field) or ""), lambda c: str(c["id"]))

    def permalink(self, object_id: str, field: str, fallback: str) -> str:
        """The public URL of what was just created; a failure here must not fail the post."""
        try:
            data = self.request("GET", self.path(object_id), params={"fields": field}).json()
            return str(data.get(field) or fallback)
        except Exception:  # the post exists: never turn a missing URL into a failure
            return fallback

    # -- metrics -------------------------------------------------------------------------------

    #: ``{node field: metric}`` read on the post itself, and ``{insights metric: metric}`` asked
    #: one by one (a metric Meta retired fails the whole ``insights`` request it is in).
    node_fields: ClassVar[dict[str, str]] = {}
    node_query: ClassVar[str] = ""
    insight_metrics: ClassVar[dict[str, str]] = {}

    def metric_get(self, path: str, params: dict[str, Any], invalid: str) -> Any:
        """The JSON of a ``GET``, or an :class:`Unavailable` when Meta refuses it with a
        permission error (code 10, 200–299: kind ``permission``) or an invalid parameter (code
        100: kind ``invalid``, the caller's). A dead token, a rate limit or a server error
        raise, as they concern the whole account."""
        response = self._send(
            "GET", f"{self.base_url}{path}", path, False, self.auth_headers(), {"params": params}
        )
        if self.is_auth_failure(response):
            raise self.reconnect_needed(
                f"{self.label} refused the token ({self.error_detail(response)})"
            )
        code = self._error(response).get("code")
        if 400 <= response.status_code < 500 and not self.is_rate_limited(response):
            if code in PERMISSION_CODES or response.status_code == 403:
                kind = PERMISSION
            elif code == INVALID_CODE:
                kind = invalid
            else:
                kind = NOT_FOUND if response.status_code in (404, 410) else REFUSED
            return Unavailable(kind, self.redact(self.error_detail(response)))
        return self._check("GET", path, response, False).json()

    def insight(self, media_id: str, metric: str, invalid: str) -> int | Unavailable:
        """One lifetime insight of a post or a media: ``data[0].values[-1].value``."""
        data = self.metric_get(self.path(media_id, "insights"), {"metric": metric}, invalid)
        if isinstance(data, Unavailable):
            return data
        for entry in data.get("data") or []:
            if isinstance(entry, dict) and entry.get("name") == metric:
                values = entry.get("values") or []
                value = values[-1].get("value") if values and isinstance(values[-1], dict) else None
                if isinstance(value, int) and not isinstance(value, bool):
                    return value
        return Unavailable(REFUSED, f"{self.label} gave no value for {metric}")

    def post_metrics(self, media_id: str, gone: str, retired: str) -> PostMetrics:
        """The node's counts (``node_fields``), then each insight alone. When the post itself
        is gone (code 100 on the node: kind ``gone``) every metric is unavailable; any other
        refusal of the node leaves the insights to be asked."""
        values: PostMetrics = {}
        node = self.metric_get(self.path(media_id), {"fields": self.node_query}, gone)
        if isinstance(node, Unavailable):
            values.update(all_unavailable(self.node_fields.values(), node))
            if node.kind == gone:
                values.update(all_unavailable(self.insight_metrics.values(), node))
                return values
        else:
            values.update(self.node_counts(node))
        for metric, name in self.insight_metrics.items():
            values[name] = self.insight(media_id, metric, retired)
        return values

    def node_counts(self, node: dict[str, Any]) -> PostMetrics:
        absent = Unavailable(REFUSED, f"{self.label}'s answer has no such count")
        return counts(node, self.node_fields, absent=absent)
