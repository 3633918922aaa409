"""Helpers of the sign-up tests."""

from __future__ import annotations

from bs4 import BeautifulSoup


def form_data(client, url: str, query: str = "", HTTP_REFERER: str = "", **overrides) -> dict:
    """What a person sends: the hidden fields of the form as served at ``url?query``, plus
    their answers (``None`` leaves a field out)."""
    extra = {"HTTP_REFERER": HTTP_REFERER} if HTTP_REFERER else {}
    response = client.get(f"{url}?{query}" if query else url, **extra)
    assert response.status_code == 200, response.status_code
    soup = BeautifulSoup(response.content, "html.parser")
    data = {i["name"]: i.get("value", "") for i in soup.select("form input[type=hidden]")}
    data.update(
        {
            "name": "Léa Martin",
            "email": "lea.martin@example.org",
            "school": "École exemple",
            "class_year": "2012",
            "wishes": ["membership", "news"],
            "consent": "on",
            "site_web": "",
        }
    )
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
