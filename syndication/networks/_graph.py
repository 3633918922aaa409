"""What Facebook Pages and Instagram share: Meta's Graph API and its way of saying errors.

Meta answers most errors with HTTP 400 and a code in the body: 190 (and 102) is an invalid or
expired token, 4, 17, 32, 613 and 80001–80014 are rate limits, with the wait in the
``X-Business-Use-Case-Usage`` header (``estimated_time_to_regain_access``, in minutes).
Page tokens are long-lived and have no refresh: an expired one means reconnecting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import requests

from syndication.http import Client

AUTH_CODES = {102, 190}
RATE_LIMIT_CODES = {4, 17, 32, 613, *range(80001, 80015)}


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

    def edge_pages(self, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """The pages of an edge (``/{id}/posts``...), following ``paging.cursors.after``."""
        params = dict(params)
        while True:
            data = self.request("GET", path, params=params).json()
            yield data.get("data") or []
            after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (data.get("paging") or {}).get("next"):
                return
            params["after"] = after

    def permalink(self, object_id: str, field: str, fallback: str) -> str:
        """The public URL of what was just created; a failure here must not fail the post."""
        try:
            data = self.request("GET", self.path(object_id), params={"fields": field}).json()
            return str(data.get(field) or fallback)
        except Exception:  # the post exists: never turn a missing URL into a failure
            return fallback
