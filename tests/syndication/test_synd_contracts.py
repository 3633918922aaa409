"""Every request the clients make, checked against the networks' official descriptions, kept as
excerpts in ``tests/fixtures/contracts``: X's OpenAPI description (with openapi-core), Meta's
node/edge descriptions, LinkedIn's documented shape. The fakes' answers to X are checked against
the OpenAPI description too, so the fakes stay honest; and each check is shown to refuse a
request the description refuses."""

from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import urlencode

import pytest
from PIL import Image
from werkzeug.datastructures import ImmutableMultiDict

from syndication.compose import compose
from syndication.models import ImageRef
from syndication.networks import registry
from syndication.testing.fakes import client_for
from syndication.testing.fakes.base import Request
from syndication.testing.fakes.linkedin import linkedin_problems
from syndication.testing.worker import synthetic_item

# openapi-core cannot check X's "OAuth" security scheme (OAuth 1.0a) and says so for each request
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")
GRAPH_GENERIC_PARAMS = {"fields", "limit", "after", "before"}


def exercise(fake, name: str, *, expire: bool = False, image_path: str = "") -> None:
    """Everything a client does: verify, look for a post, publish, find it again."""
    client = client_for(fake)
    item = synthetic_item(3)
    item.image = ImageRef(
        path=image_path, url="https://alumni.example.org/img/3.jpg", alt="Une photo"
    )
    post = compose(item, registry.create(name))
    client.verify_credentials()
    assert client.find_existing(post) is None
    if expire:
        fake.expire_tokens()
    client.publish(post)
    assert client.find_existing(post) is not None
    assert fake.requests, "the fake saw no request"


def mock_request(req: Request):
    from openapi_core.testing import MockRequest

    args = ImmutableMultiDict([(k, v) for k, values in req.query.items() for v in values])
    return MockRequest(
        "https://api.x.com",
        req.method.lower(),
        req.path,
        args=args,
        data=req.body or None,
        headers=req.headers,
        content_type=req.content_type or "application/json",
    )


def test_x_requests_and_answers_match_the_openapi_description(fake_factory, x_openapi, x_spec):
    from openapi_core.testing import MockResponse

    fake = fake_factory("x")
    exercise(fake, "x", expire=True)  # expire: the token refresh is exercised too
    token_url = x_spec["components"]["securitySchemes"]["OAuth2UserToken"]["flows"][
        "authorizationCode"
    ]["tokenUrl"]
    checked = set()
    for req in fake.requests:
        if req.path == "/2/oauth2/token":  # not an operation of the file: its security scheme
            assert token_url.endswith(req.path)
            assert req.form["grant_type"] == "refresh_token" and req.form["client_id"]
            continue
        x_openapi.validate_request(mock_request(req))
        assert req.response is not None
        if req.response.status < 400:
            x_openapi.validate_response(
                mock_request(req),
                MockResponse(
                    req.response.encoded(),
                    status_code=req.response.status,
                    content_type="application/json",
                ),
            )
        template = re.sub(r"/users/\d+/", "/users/{id}/", req.path)
        checked.add(f"{req.method} {template}")
    assert checked == {"GET /2/users/me", "GET /2/users/{id}/tweets", "POST /2/tweets"}


def x_create(body: dict) -> Request:
    return Request(
        "POST", "/2/tweets", {}, {"content-type": "application/json"}, json.dumps(body).encode()
    )


@pytest.mark.parametrize(
    "body",
    [
        {"text": "hi", "unknown": 1},  # createPosts takes no other field
        {"text": 280},  # text is a string
        {"text": "hi", "reply_settings": "everyone"},  # not one of the enum's values
    ],
    ids=["unknown-field", "integer-text", "bad-enum-value"],
)
def test_the_x_contract_check_does_catch_bad_requests(x_openapi, body):
    from openapi_core.validation.request.exceptions import RequestValidationError

    x_openapi.validate_request(mock_request(x_create({"text": "hi"})))  # the same, right
    with pytest.raises(RequestValidationError):
        x_openapi.validate_request(mock_request(x_create(body)))


def graph_fields(value: str) -> list[str]:
    """Top-level names of a Graph API ``fields`` value: "a,b{c,d},e" -> [a, b, e]."""
    names, depth, current = [], 0, ""
    for ch in value + ",":
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            names.append(current.strip())
            current = ""
            continue
        if depth == 0 and ch not in "{}":
            current += ch
    return [n for n in names if n]


def node_names(meta: dict, node: str) -> set[str]:
    """Fields and edges of a node type."""
    spec = meta[node]
    return {f["name"] for f in spec["fields"]} | {
        a["endpoint"] for a in spec["apis"] if "endpoint" in a
    }


def edge_params(meta: dict, node: str, method: str, edge: str) -> tuple[set[str], set[str]]:
    for api in meta[node]["apis"]:
        if api.get("method") == method and api.get("endpoint") == edge:
            params = api["params"]
            return {p["name"] for p in params}, {p["name"] for p in params if p.get("required")}
    raise AssertionError(f"{node} has no {method} {edge} edge")


def params_of(req: Request) -> dict[str, str]:
    data = {k: v[-1] for k, v in req.query.items()}
    if req.body:
        data.update(req.form)
    return data


def check_graph_request(meta: dict, req: Request, routes: dict[str, tuple[str, str | None]]) -> str:
    """Check one Graph request; ``routes`` maps a path regex to (node, edge or None)."""
    assert "access_token" not in req.query, "tokens go in the Authorization header"
    path = re.sub(r"^/v\d+\.\d+", "", req.path)
    matching = [target for pattern, target in routes.items() if re.fullmatch(pattern, path)]
    assert matching, f"unexpected Graph request {req.method} {req.path}"
    node, edge = matching[0]
    params = params_of(req)
    if edge is None:  # reading a node: only its fields
        assert req.method == "GET"
        assert set(params) <= {"fields"}
        assert set(graph_fields(params["fields"])) <= node_names(meta, node), params["fields"]
        return f"GET {node}"
    allowed, required = edge_params(meta, node, req.method, edge)
    extra = GRAPH_GENERIC_PARAMS if req.method == "GET" else set()
    assert set(params) <= allowed | extra, set(params) - allowed - extra
    assert required <= set(params)
    if "fields" in params:
        target = {"posts": "PagePost", "feed": "PagePost", "media": "IGMedia"}[edge]
        assert set(graph_fields(params["fields"])) <= node_names(meta, target), params["fields"]
    return f"{req.method} {node}/{edge}"


def test_facebook_requests_match_meta_descriptions(fake_factory, meta):
    fake = fake_factory("facebook")
    exercise(fake, "facebook")
    routes = {
        r"/\d+/feed": ("Page", "feed"),
        r"/\d+/posts": ("Page", "posts"),
        r"/\d+_\d+": ("PagePost", None),
        r"/\d+": ("Page", None),
    }
    seen = {check_graph_request(meta, req, routes) for req in fake.requests}
    assert seen == {"GET Page", "GET Page/posts", "POST Page/feed", "GET PagePost"}


def test_instagram_requests_match_meta_descriptions(fake_factory, meta):
    fake = fake_factory("instagram")
    exercise(fake, "instagram")
    routes = {
        rf"/{fake.ig_user_id}/media": ("IGUser", "media"),
        rf"/{fake.ig_user_id}/media_publish": ("IGUser", "media_publish"),
        rf"/{fake.ig_user_id}": ("IGUser", None),
        r"/\d+": ("IGMedia", None),
    }
    seen = {check_graph_request(meta, req, routes) for req in fake.requests}
    assert seen == {
        "GET IGUser",
        "GET IGUser/media",
        "POST IGUser/media",
        "POST IGUser/media_publish",
        "GET IGMedia",
    }


def graph_post(path: str, form: dict[str, str]) -> Request:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    return Request("POST", path, {}, headers, urlencode(form).encode())


FACEBOOK_ROUTES = {r"/\d+/posts": ("Page", "posts"), r"/\d+/feed": ("Page", "feed")}
INSTAGRAM_ROUTES = {
    r"/\d+/media": ("IGUser", "media"),
    r"/\d+/media_publish": ("IGUser", "media_publish"),
}


@pytest.mark.parametrize(
    "req",
    [
        # a PagePost has no "link" field (its link is in attachments)
        Request("GET", "/v23.0/1/posts", {"fields": ["message,link"]}, {}, b""),
        # the feed edge's link parameter is "link", not "url"
        graph_post("/v23.0/1/feed", {"message": "hi", "url": "https://alumni.example.org/"}),
    ],
    ids=["unknown-field", "unknown-parameter"],
)
def test_the_facebook_check_does_catch_bad_requests(meta, req):
    right = graph_post("/v23.0/1/feed", {"message": "hi", "link": "https://alumni.example.org/"})
    assert check_graph_request(meta, right, FACEBOOK_ROUTES) == "POST Page/feed"
    with pytest.raises(AssertionError):
        check_graph_request(meta, req, FACEBOOK_ROUTES)


@pytest.mark.parametrize(
    "req",
    [
        graph_post("/v23.0/17841400000000001/media_publish", {}),  # creation_id is required
        graph_post("/v23.0/17841400000000001/media", {"image": "https://x.org/a.jpg"}),
    ],
    ids=["missing-required", "unknown-parameter"],
)
def test_the_instagram_check_does_catch_bad_requests(meta, req):
    right = graph_post("/v23.0/17841400000000001/media_publish", {"creation_id": "1001"})
    assert check_graph_request(meta, right, INSTAGRAM_ROUTES) == "POST IGUser/media_publish"
    with pytest.raises(AssertionError):
        check_graph_request(meta, req, INSTAGRAM_ROUTES)


def test_linkedin_requests_match_the_documented_shape(fake_factory, tmp_path):
    picture = tmp_path / "card.jpg"
    Image.new("RGB", (1200, 630), "#1d4e89").save(picture, "JPEG")
    fake = fake_factory("linkedin")
    exercise(fake, "linkedin", expire=True, image_path=str(picture))
    kinds = set()
    for req in fake.requests:
        if req.method == "POST" and req.path == "/rest/images":
            assert req.query["action"] == ["initializeUpload"]
            assert req.json == {"initializeUploadRequest": {"owner": fake.author}}
        if req.method == "PUT":  # the bytes, to the upload URL LinkedIn gave
            assert req.body == picture.read_bytes()
            assert req.headers["content-type"] == "image/jpeg" and req.bearer
            req = dataclasses.replace(req, path="/dms-uploads/<key>")
        if req.path.startswith("/rest/"):
            assert req.headers.get("x-restli-protocol-version") == "2.0.0"
            assert re.fullmatch(r"\d{6}", req.headers.get("linkedin-version", ""))
        if req.method == "POST" and req.path == "/rest/posts":
            assert linkedin_problems(req) == []
            article = req.json["content"]["article"]
            assert article["source"].startswith("https://alumni.example.org/")
            assert fake.images[article["thumbnail"]] == picture.read_bytes()
        if req.method == "GET" and req.path == "/rest/posts":
            assert req.query["q"] == ["author"] and req.query["author"][0].startswith("urn:li:")
        if req.path == "/oauth/v2/accessToken":
            assert set(req.form) == {"grant_type", "refresh_token", "client_id", "client_secret"}
        kinds.add(f"{req.method} {req.path}")
    assert kinds == {
        "GET /rest/organizations/5515715",
        "GET /rest/posts",
        "POST /rest/images",
        "PUT /dms-uploads/<key>",
        "POST /rest/posts",
        "POST /oauth/v2/accessToken",
    }


def linkedin_post(body: dict) -> Request:
    headers = {
        "content-type": "application/json",
        "linkedin-version": "202601",
        "x-restli-protocol-version": "2.0.0",
    }
    return Request("POST", "/rest/posts", {}, headers, json.dumps(body).encode())


LINKEDIN_POST = {
    "author": "urn:li:organization:5515715",
    "commentary": "Nouvelle numéro 3",
    "visibility": "PUBLIC",
    "distribution": {
        "feedDistribution": "MAIN_FEED",
        "targetEntities": [],
        "thirdPartyDistributionChannels": [],
    },
    "lifecycleState": "PUBLISHED",
    "isReshareDisabledByAuthor": False,
    "content": {
        "article": {"source": "https://alumni.example.org/actualites/item-3/", "title": "Item 3"}
    },
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"distribution": None}, "missing field distribution"),
        ({"visibility": "EVERYONE"}, "bad visibility"),
        ({"text": "Nouvelle"}, "unknown field text"),
        ({"content": {"article": {"url": "https://alumni.example.org/"}}}, "source and title"),
    ],
    ids=["missing-field", "bad-enum-value", "unknown-field", "article-without-source"],
)
def test_the_linkedin_check_does_catch_bad_requests(change, problem):
    assert linkedin_problems(linkedin_post(LINKEDIN_POST)) == []
    body = {k: v for k, v in {**LINKEDIN_POST, **change}.items() if v is not None}
    assert any(problem in found for found in linkedin_problems(linkedin_post(body)))
