"""Helpers of the syndication tests: accounts on the fakes, the admin's forms filled in as a
browser would, redirects followed across the test client and the local fake servers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from django.http import QueryDict
from wagtail.test.utils.form_data import querydict_from_html

from cms.social.models import SocialAccount
from syndication.testing.fakes import FakeServer, credentials_for
from syndication.testing.peers import LocalPDS

REMOTE_IDS = {
    "mastodon": lambda fake: f"{fake.account_id}@{urlsplit(fake.url).netloc}",
    "x": lambda fake: fake.user_id,
    "linkedin": lambda fake: fake.author,
    "facebook": lambda fake: fake.page_id,
    "instagram": lambda fake: fake.ig_user_id,
}


def make_account(site: Any, fake: FakeServer, owner: Any = None, **fields: Any) -> SocialAccount:
    """An account of ``site`` on the fake's network, as a connect flow would store it."""
    values = {
        "display_name": f"Alumni {fake.network}",
        "remote_id": REMOTE_IDS[fake.network](fake),
        "base_url": fake.url,
        "client_options": {"auth_base_url": fake.url} if fake.network == "linkedin" else {},
        **fields,
    }
    account = SocialAccount(site=site, network=fake.network, owner=owner, **values)
    account.set_credentials(credentials_for(fake))
    account.save()
    return account


def make_bluesky_account(
    site: Any, pds: LocalPDS, user: dict[str, str], owner: Any = None
) -> SocialAccount:
    from cms.social.providers import connect_bluesky

    candidate = connect_bluesky(user["handle"], user["app_password"], pds.url)
    account = SocialAccount(
        site=site,
        network="bluesky",
        display_name=candidate.display_name,
        remote_id=candidate.remote_id,
        handle=candidate.handle,
        base_url=pds.url,
        owner=owner,
    )
    account.set_credentials(candidate.credentials)
    account.save()
    return account


def form_data(html: str | bytes, form_id: str = "page-edit-form") -> QueryDict:
    """The fields of an admin form as a browser would submit them."""
    text = html.decode() if isinstance(html, bytes) else html
    return querydict_from_html(text, form_id=form_id, exclude_csrf=False)


def follow(client: Any, response: Any, limit: int = 10) -> Any:
    """Follow redirects across the Django test client (``testserver``) and real servers (the
    fake authorization servers on 127.0.0.1), as a browser would; returns the last answer."""
    for _ in range(limit):
        if response.status_code not in (301, 302, 303):
            return response
        location = response.headers["Location"]
        parts = urlsplit(location)
        if parts.netloc in ("", "testserver"):
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            response = client.get(path)
        else:
            response = requests.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("too many redirects")


def get_record(pds: LocalPDS, uri: str) -> dict[str, Any]:
    """A record read back from the PDS (``at://did/collection/rkey``)."""
    _, _, did, collection, rkey = uri.split("/")
    response = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": collection, "rkey": rkey},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def list_records(pds: LocalPDS, did: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["records"]


def connect_through_admin(client: Any, network: str, site: Any, **form: str) -> Any:
    """Connect an account as a person would: the start view, the network's authorize page (the
    fake consents), the callback; Bluesky and Mastodon fill their form first. Returns the last
    answer (the accounts page, or the page choice)."""
    url = f"/admin/social/connect/{network}/"
    if form:
        response = client.post(url, {"site": site.pk, **form})
    else:
        response = client.get(url, {"site": site.pk})
    return follow(client, response)


def publish_through_admin(
    client: Any, parent: Any, model: str = "alumninewspage", **fields: Any
) -> Any:
    """Create and publish an item with the admin's form (what the editor's browser sends)."""
    url = f"/admin/pages/add/content/{model}/{parent.pk}/"
    data = form_data(client.get(url).content)
    data.update({"body-count": "0", "action-publish": "action-publish"})
    for key, value in fields.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value)
    response = client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    return response


def edit_through_admin(client: Any, page: Any, publish: bool = True, **fields: Any) -> Any:
    url = f"/admin/pages/{page.pk}/edit/"
    data = form_data(client.get(url).content)
    data["body-count"] = "0"
    if publish:
        data["action-publish"] = "action-publish"
    for key, value in fields.items():
        data[key] = str(value)
    return client.post(url, data)


def _form_errors(response: Any) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.content, "html.parser")
    return " | ".join(
        e.get_text(" ", strip=True)
        for e in soup.select(".error-message, .help-critical, .w-field__errors")
    )
