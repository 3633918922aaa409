"""Every request the conversation calls send, and the fakes' answers to X, checked against the
networks' own descriptions kept in ``tests/fixtures/contracts`` (X's OpenAPI description, Meta's
Comment, IGComment, PagePost and IGMedia nodes, LinkedIn's documented Comments and Reactions
shapes); and for each network, a request the description refuses is shown to be refused."""

from __future__ import annotations

import json
import random
import re
from urllib.parse import urlencode

import pytest

from syndication.conversations import compose_reply
from syndication.delivery import DeliveryEngine
from syndication.policy import RetryPolicy
from syndication.sqlite import SQLiteLedger
from syndication.testing.fakes import client_for
from syndication.testing.fakes.base import Request
from syndication.testing.fakes.linkedin import (
    linkedin_comment_problems,
    linkedin_reaction_problems,
)
from tests.syndication.test_synd_contracts import mock_request, params_of
from tests.syndication.test_synd_conversations import incoming, publish

pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")
GRAPH_GENERIC_PARAMS = {"fields", "limit", "after", "before"}


def converse(fake, tmp_path, *, mention: bool = False) -> None:
    """Everything the conversations do: pull, read a thread, answer once (its answer lost,
    so the answer is looked for), like and hide where the network allows."""
    client = client_for(fake)
    post = publish(fake, client)
    first = incoming(fake, post, "Quand a lieu la prochaine rencontre ?")
    incoming(fake, post, "Et où ?", parent=first)
    if mention:
        fake.add_mention("Connaissez-vous l'association ?")
    messages, cursor = client.fetch_conversations(None, posts=[post])
    client.fetch_conversations(cursor, posts=[post])
    if fake.network in ("mastodon", "x"):
        client.fetch_thread(messages[1])
    reply = compose_reply(messages[1], "Le 12 juin, à Lyon.", client.network)
    fake.faults.add("reset_after", method="POST", path=r"/(tweets|statuses|comments|replies)$")
    engine = DeliveryEngine(
        SQLiteLedger(tmp_path / "ledger.sqlite3"),
        policy=RetryPolicy(rng=random.Random(1)),
        sleep=lambda seconds: fake.wait_idle(),
    )
    assert engine.deliver(reply, client, "account").state == "sent"
    assert len(fake.answers) == 1
    if client.network.can("like"):
        client.like(messages[0])
    if client.network.can("hide"):
        client.hide(messages[0])


# -- X ------------------------------------------------------------------------------------------


def test_x_conversation_requests_and_answers_match_the_openapi_description(
    fake_factory, x_openapi, tmp_path
):
    from openapi_core.testing import MockResponse

    fake = fake_factory("x")
    converse(fake, tmp_path, mention=True)
    checked = set()
    for req in fake.requests:
        x_openapi.validate_request(mock_request(req))
        if req.response is not None and req.response.status < 400:
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
        if req.method == "POST" and req.path == "/2/tweets" and "reply" in req.json:
            assert req.json["reply"] == {
                "in_reply_to_tweet_id": req.json["reply"]["in_reply_to_tweet_id"]
            }
    assert {
        "GET /2/users/{id}/mentions",
        "GET /2/tweets/search/recent",
        "POST /2/tweets",
        "GET /2/users/{id}/tweets",
        "POST /2/users/{id}/likes",
    } <= checked


def x_post(path: str, body: dict) -> Request:
    headers = {"content-type": "application/json"}
    return Request("POST", path, {}, headers, json.dumps(body).encode())


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/2/tweets", {"text": "Merci", "reply": {}}),  # in_reply_to_tweet_id is required
        ("/2/tweets", {"text": "Merci", "reply": {"in_reply_to": "1"}}),  # not a field of it
        ("/2/tweets", {"text": "Merci", "reply": {"in_reply_to_tweet_id": "x1"}}),  # not an id
        ("/2/users/1460000000000000001/likes", {"id": "1800000000000001002"}),  # tweet_id
    ],
    ids=["reply-without-id", "reply-unknown-field", "reply-bad-id", "like-unknown-field"],
)
def test_the_x_check_refuses_bad_conversation_bodies(x_openapi, path, body):
    from openapi_core.validation.request.exceptions import RequestValidationError

    right = {"text": "Merci", "reply": {"in_reply_to_tweet_id": "1800000000000001002"}}
    x_openapi.validate_request(mock_request(x_post("/2/tweets", right)))
    x_openapi.validate_request(
        mock_request(x_post("/2/users/1460000000000000001/likes", {"tweet_id": "18000001"}))
    )
    with pytest.raises(RequestValidationError):
        x_openapi.validate_request(mock_request(x_post(path, body)))


def test_the_x_check_refuses_a_bad_mentions_query(x_openapi):
    from openapi_core.validation.request.exceptions import RequestValidationError

    path = "/2/users/1460000000000000001/mentions"
    good = Request(
        "GET", path, {"since_id": ["1800000000000001002"], "expansions": ["author_id"]}, {}, b""
    )
    x_openapi.validate_request(mock_request(good))
    for query in (
        {"since_id": ["yesterday"]},
        {"expansions": ["author"]},
        {"max_results": ["500"]},
    ):
        with pytest.raises(RequestValidationError):
            x_openapi.validate_request(mock_request(Request("GET", path, query, {}, b"")))


# -- Meta ---------------------------------------------------------------------------------------


def field_tree(value: str) -> dict[str, str]:
    """A Graph ``fields`` value as ``{name: inner fields}``: "a,b{c,d}" -> {a: "", b: "c,d"}."""
    names: dict[str, str] = {}
    depth, current, inner = 0, "", ""
    for ch in value + ",":
        if ch == "{":
            depth += 1
            if depth == 1:
                continue
        elif ch == "}":
            depth -= 1
            if depth == 0:
                continue
        if depth == 0 and ch == ",":
            if current.strip():
                names[current.strip()] = inner
            current, inner = "", ""
        elif depth == 0:
            current += ch
        else:
            inner += ch
    return names


def node_names(meta: dict, node: str) -> set[str]:
    spec = meta[node]
    return {f["name"] for f in spec["fields"]} | {
        a["endpoint"] for a in spec["apis"] if "endpoint" in a
    }


def edge_return(meta: dict, node: str, name: str) -> str | None:
    for api in meta[node]["apis"]:
        if api.get("endpoint") == name and api["method"] == "GET":
            return api["return"]
    return None


def check_fields(meta: dict, node: str, value: str) -> None:
    for name, inner in field_tree(value).items():
        assert name in node_names(meta, node), f"{node} has no field or edge {name!r}"
        if inner:
            target = edge_return(meta, node, name) or next(
                f["type"] for f in meta[node]["fields"] if f["name"] == name
            )
            check_fields(meta, target, inner)


def find_api(meta: dict, node: str, method: str, edge: str | None) -> dict:
    for api in meta[node]["apis"]:
        if api["method"] != method:
            continue
        if edge is None and api.get("name") == "#update":
            return api
        if edge is not None and api.get("endpoint") == edge:
            return api
    raise AssertionError(f"{node} has no {method} {edge or '#update'}")


def check_meta(meta: dict, req: Request, routes: dict[tuple[str, str], tuple[str, str | None]]):
    """Check one Graph request; ``routes`` maps (method, path regex) to (node, edge or None)."""
    assert "access_token" not in req.query, "tokens go in the Authorization header"
    path = re.sub(r"^/v\d+\.\d+", "", req.path)
    matching = [
        target
        for (method, pattern), target in routes.items()
        if method == req.method and re.fullmatch(pattern, path)
    ]
    assert matching, f"unexpected Graph request {req.method} {req.path}"
    node, edge = matching[0]
    params = params_of(req)
    if edge is None and req.method == "GET":
        assert set(params) <= {"fields"}
        check_fields(meta, node, params["fields"])
        return f"GET {node}"
    api = find_api(meta, node, req.method, edge)
    allowed = {p["name"]: p for p in api["params"]}
    extra = GRAPH_GENERIC_PARAMS if req.method == "GET" else set()
    assert set(params) <= set(allowed) | extra, set(params) - set(allowed) - extra
    assert {n for n, p in allowed.items() if p.get("required")} <= set(params)
    for name, value in params.items():
        spec = allowed.get(name) or {}
        if "enum" in spec:
            assert value in spec["enum"], f"{name}={value!r} is not one of {spec['enum']}"
        if spec.get("type") == "bool":
            assert value in ("true", "false"), f"{name}={value!r} is not a bool"
    if "fields" in params:
        check_fields(meta, api["return"], params["fields"])
    return f"{req.method} {node}/{edge or '#update'}"


def facebook_routes(fake) -> dict:
    return {
        ("GET", rf"/{fake.page_id}_\d+/comments"): ("PagePost", "comments"),
        ("GET", r"/\d+_\d+/comments"): ("Comment", "comments"),
        ("POST", r"/\d+_\d+/comments"): ("Comment", "comments"),
        ("POST", r"/\d+_\d+/likes"): ("Comment", "likes"),
        ("POST", r"/\d+_\d+"): ("Comment", None),
        ("POST", r"/\d+/feed"): ("Page", "feed"),
        ("GET", r"/\d+_\d+"): ("PagePost", None),
    }


def test_facebook_conversation_requests_match_meta_descriptions(fake_factory, meta, tmp_path):
    fake = fake_factory("facebook")
    converse(fake, tmp_path)
    seen = {check_meta(meta, req, facebook_routes(fake)) for req in fake.requests}
    assert {
        "GET PagePost/comments",
        "GET Comment/comments",
        "POST Comment/comments",
        "POST Comment/likes",
        "POST Comment/#update",
    } <= seen
    hide = [r for r in fake.requests if r.method == "POST" and "is_hidden" in params_of(r)]
    assert hide and params_of(hide[0]) == {"is_hidden": "true"}


def graph_request(method: str, path: str, form: dict[str, str]) -> Request:
    if method == "GET":
        return Request("GET", path, {k: [v] for k, v in form.items()}, {}, b"")
    headers = {"content-type": "application/x-www-form-urlencoded"}
    return Request("POST", path, {}, headers, urlencode(form).encode())


class _FakeIds:
    page_id = "104000000000001"
    ig_user_id = "17841400000000001"


@pytest.mark.parametrize(
    "req",
    [
        graph_request("POST", "/v23.0/1001_1002", {"hidden": "true"}),  # it is is_hidden
        graph_request("POST", "/v23.0/1001_1002", {"is_hidden": "yes"}),  # a bool
        graph_request("GET", "/v23.0/104000000000001_1001/comments", {"order": "newest"}),
        graph_request("GET", "/v23.0/1001_1002/comments", {"fields": "id,text"}),  # IG's field
    ],
    ids=["unknown-parameter", "not-a-bool", "bad-enum-value", "unknown-field"],
)
def test_the_facebook_check_refuses_bad_conversation_requests(meta, req):
    routes = facebook_routes(_FakeIds)
    right = graph_request("POST", "/v23.0/1001_1002", {"is_hidden": "true"})
    assert check_meta(meta, right, routes) == "POST Comment/#update"
    with pytest.raises(AssertionError):
        check_meta(meta, req, routes)


def instagram_routes(fake) -> dict:
    return {
        ("GET", r"/\d+/comments"): ("IGMedia", "comments"),
        ("GET", r"/\d+/replies"): ("IGComment", "replies"),
        ("POST", r"/\d+/replies"): ("IGComment", "replies"),
        ("POST", rf"/{fake.ig_user_id}/media"): ("IGUser", "media"),
        ("POST", rf"/{fake.ig_user_id}/media_publish"): ("IGUser", "media_publish"),
        ("GET", rf"/{fake.ig_user_id}"): ("IGUser", None),
        ("POST", r"/\d+"): ("IGComment", None),
        ("GET", r"/\d+"): ("IGMedia", None),
    }


def test_instagram_conversation_requests_match_meta_descriptions(fake_factory, meta, tmp_path):
    fake = fake_factory("instagram")
    converse(fake, tmp_path)
    seen = {check_meta(meta, req, instagram_routes(fake)) for req in fake.requests}
    assert {
        "GET IGMedia/comments",
        "GET IGComment/replies",
        "POST IGComment/replies",
        "POST IGComment/#update",
    } <= seen
    pulls = [r for r in fake.requests if r.path.endswith("/comments")]
    assert "replies{" in params_of(pulls[0])["fields"]  # the answers come with the comments


@pytest.mark.parametrize(
    "req",
    [
        graph_request("POST", "/v23.0/17850000000001003", {}),  # hide is required
        graph_request("POST", "/v23.0/17850000000001003/replies", {"text": "Merci"}),
        graph_request("GET", "/v23.0/17900000000001002/comments", {"fields": "id,message"}),
    ],
    ids=["missing-required", "unknown-parameter", "unknown-field"],
)
def test_the_instagram_check_refuses_bad_conversation_requests(meta, req):
    routes = instagram_routes(_FakeIds)
    right = graph_request("POST", "/v23.0/17850000000001003/replies", {"message": "Merci"})
    assert check_meta(meta, right, routes) == "POST IGComment/replies"
    with pytest.raises(AssertionError):
        check_meta(meta, req, routes)


# -- LinkedIn -----------------------------------------------------------------------------------


def test_linkedin_conversation_requests_match_the_documented_shape(fake_factory, tmp_path):
    fake = fake_factory("linkedin")
    converse(fake, tmp_path)
    kinds = set()
    for req in fake.requests:
        assert req.headers.get("x-restli-protocol-version") == "2.0.0"
        assert re.fullmatch(r"\d{6}", req.headers.get("linkedin-version", ""))
        match = re.fullmatch(r"/rest/socialActions/([^/]+)/comments", req.path)
        if match and req.method == "POST":
            target = match.group(1)
            assert "%3A" in target, "the URN in the path is URL-encoded"
            from urllib.parse import unquote

            assert linkedin_comment_problems(req, unquote(target)) == []
            assert req.json["parentComment"] == unquote(target)
            assert req.json["actor"] == fake.author
        if req.path == "/rest/reactions":
            assert linkedin_reaction_problems(req) == []
            assert req.json["reactionType"] == "LIKE"
        kinds.add(f"{req.method} {'/rest/socialActions/<urn>/comments' if match else req.path}")
    assert {
        "GET /rest/socialActions/<urn>/comments",
        "POST /rest/socialActions/<urn>/comments",
        "POST /rest/reactions",
    } <= kinds


def linkedin_request(path: str, body: dict, query: dict | None = None) -> Request:
    headers = {
        "content-type": "application/json",
        "linkedin-version": "202511",
        "x-restli-protocol-version": "2.0.0",
    }
    return Request("POST", path, query or {}, headers, json.dumps(body).encode())


COMMENT_URN = "urn:li:comment:(urn:li:share:1001,6970000000000001002)"
LINKEDIN_COMMENT = {
    "actor": "urn:li:organization:5515715",
    "object": "urn:li:share:1001",
    "message": {"text": "Le 12 juin, à Lyon."},
    "parentComment": COMMENT_URN,
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"message": None, "text": "Merci"}, "unknown field text"),
        ({"actor": None}, "missing field actor"),
        ({"parentComment": "urn:li:comment:(urn:li:share:1001,1)"}, "parentComment must be"),
        ({"message": {"text": "Merci", "format": "html"}}, "text and attributes only"),
    ],
    ids=["unknown-field", "missing-field", "wrong-parent", "unknown-message-field"],
)
def test_the_linkedin_comment_check_refuses_bad_bodies(change, problem):
    path = "/rest/socialActions/x/comments"
    assert linkedin_comment_problems(linkedin_request(path, LINKEDIN_COMMENT), COMMENT_URN) == []
    body = {k: v for k, v in {**LINKEDIN_COMMENT, **change}.items() if v is not None}
    found = linkedin_comment_problems(linkedin_request(path, body), COMMENT_URN)
    assert any(problem in p for p in found), found


def test_the_linkedin_reaction_check_refuses_bad_bodies():
    query = {"actor": ["urn:li:organization:5515715"]}
    right = {"root": COMMENT_URN, "reactionType": "LIKE"}
    assert linkedin_reaction_problems(linkedin_request("/rest/reactions", right, query)) == []
    wrong = linkedin_request("/rest/reactions", {**right, "reactionType": "THUMBS_UP"}, query)
    assert any("reactionType" in p for p in linkedin_reaction_problems(wrong))
    anonymous = linkedin_request("/rest/reactions", right)
    assert any("actor" in p for p in linkedin_reaction_problems(anonymous))
