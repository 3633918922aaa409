"""The metrics requests, checked against the networks' official descriptions like the posting
requests are (``test_synd_contracts.py``, same excerpts in ``tests/fixtures/contracts``): X's
OpenAPI description with openapi-core (requests, and the fake's answers, errors included), Meta's
node and edge descriptions, LinkedIn's documented shape. What each request asks for must be a
field the description declares."""

from __future__ import annotations

import json
import random
import re
from urllib.parse import unquote

import pytest

from syndication.metrics import RETIRED
from syndication.testing.fakes import client_for
from syndication.testing.fakes.meta import requested_fields
from tests.syndication.test_synd_contracts import edge_params, mock_request, node_names
from tests.syndication.test_synd_metrics import publish, raise_counters

pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")


def test_x_metrics_requests_and_answers_match_the_openapi_description(
    fake_factory, x_openapi, x_spec
):
    from openapi_core.testing import MockResponse

    fake = fake_factory("x")
    client = client_for(fake)
    ids = publish(fake, client, 2)
    raise_counters(fake, ids, seed=1)
    client.metrics([*ids, "1899999999999999999"])  # one unknown: an answer with "errors"

    lookups = [r for r in fake.requests if r.method == "GET" and r.path == "/2/tweets"]
    assert len(lookups) == 1
    req = lookups[0]
    x_openapi.validate_request(mock_request(req))
    x_openapi.validate_response(
        mock_request(req),
        MockResponse(req.response.encoded(), status_code=200, content_type="application/json"),
    )
    body = req.response.body
    assert body["errors"][0]["resource_id"] == "1899999999999999999"
    # The description (2.167) names the fields parameter "post.fields"; X's documentation and
    # its clients send "tweet.fields", which openapi-core leaves unchecked: check its value
    # against the description's list of Post fields, and the metrics against PostPublicMetrics.
    operation = x_spec["paths"]["/2/tweets"]["get"]
    fields_ref = next(
        p["$ref"]
        for p in operation["parameters"]
        if p.get("$ref", "").endswith("FieldsParameter") and "Post" in p["$ref"]
    )
    fields_param = x_spec["components"]["parameters"][fields_ref.rsplit("/", 1)[1]]
    allowed = set(fields_param["schema"]["items"]["enum"])
    asked = set(req.arg("tweet.fields").split(","))
    assert asked == {"public_metrics"} and asked <= allowed
    public = x_spec["components"]["schemas"]["PostPublicMetrics"]
    assert set(client.metric_fields) == set(public["required"])
    assert req.arg("ids").split(",") == [*ids, "1899999999999999999"]


def test_x_answers_checked_do_catch_a_bad_metrics_answer(x_openapi):
    from openapi_core.testing import MockResponse
    from openapi_core.validation.response.exceptions import ResponseValidationError

    from syndication.testing.fakes.base import Request

    req = Request("GET", "/2/tweets", {"ids": ["1"], "tweet.fields": ["public_metrics"]}, {}, b"")
    bad = {"data": [{"id": "1", "text": "x", "public_metrics": {"like_count": "many"}}]}
    with pytest.raises(ResponseValidationError):
        x_openapi.validate_response(
            mock_request(req),
            MockResponse(
                json.dumps(bad).encode(), status_code=200, content_type="application/json"
            ),
        )


GRAPH_ROUTES = {
    "facebook": {r"/\d+_\d+": ("PagePost", None), r"/\d+_\d+/insights": ("PagePost", "insights")},
    "instagram": {r"/\d{17}": ("IGMedia", None), r"/\d{17}/insights": ("IGMedia", "insights")},
}


@pytest.mark.parametrize("name", ["facebook", "instagram"])
def test_meta_metrics_requests_match_meta_descriptions(fake_factory, meta, name):
    fake = fake_factory(name)
    client = client_for(fake)
    ids = publish(fake, client, 2)
    raise_counters(fake, ids, seed=random.Random(name).randrange(99))
    start = len(fake.requests)
    client.metrics(ids)

    seen = set()
    for req in fake.requests[start:]:
        assert "access_token" not in req.query, "tokens go in the Authorization header"
        path = re.sub(r"^/v\d+\.\d+", "", req.path)
        ((node, edge),) = [t for p, t in GRAPH_ROUTES[name].items() if re.fullmatch(p, path)]
        params = {k: v[-1] for k, v in req.query.items()}
        assert req.method == "GET"
        if edge is None:
            assert set(params) == {"fields"}
            assert requested_fields(params["fields"]) <= node_names(meta, node), params["fields"]
        else:
            allowed, required = edge_params(meta, node, "GET", edge)
            assert set(params) <= allowed and required <= set(params)
            assert len(params["metric"].split(",")) == 1, "one insight per request"
            if node == "PagePost":  # the fake's answer holds InsightsResult entries
                (entry,) = req.response.body["data"]
                assert set(entry) <= node_names(meta, "InsightsResult"), set(entry)
        seen.add((node, edge, params.get("metric")))
    asked = {metric for _node, edge, metric in seen if edge}
    assert asked == set(client.insight_metrics)
    assert (GRAPH_ROUTES[name][next(iter(GRAPH_ROUTES[name]))][0], None, None) in seen


def test_meta_metric_fields_are_fields_or_edges_of_the_node(meta):
    from syndication.networks.facebook import FacebookClient
    from syndication.networks.instagram import InstagramClient

    assert requested_fields(FacebookClient.node_query) <= node_names(meta, "PagePost")
    assert requested_fields(InstagramClient.node_query) <= node_names(meta, "IGMedia")
    assert not requested_fields("shares,reach_count") <= node_names(meta, "PagePost")


def test_meta_fakes_retire_metrics_as_meta_does(fake_factory):
    """The fakes hold the metrics Meta retired in 2025 (asking one fails the request), and the
    clients do not ask for them."""
    from syndication.networks.facebook import FacebookClient
    from syndication.networks.instagram import InstagramClient

    for name, cls in (("facebook", FacebookClient), ("instagram", InstagramClient)):
        fake = fake_factory(name)
        assert fake.retired_insights and not fake.retired_insights & set(cls.insight_metrics)
        client = client_for(fake)
        post_id = publish(fake, client, 1)[0]
        retired = sorted(fake.retired_insights)[0]
        assert client.insight(post_id, retired, RETIRED).kind == RETIRED


def test_linkedin_statistics_requests_match_the_documented_shape(fake_factory):
    fake = fake_factory("linkedin")
    client = client_for(fake)
    ids = publish(fake, client, 3)
    raise_counters(fake, ids, seed=8)
    client.metrics(ids)

    (req,) = [r for r in fake.requests if r.path == "/rest/organizationalEntityShareStatistics"]
    assert req.method == "GET"
    assert req.headers["x-restli-protocol-version"] == "2.0.0"
    assert re.fullmatch(r"\d{6}", req.headers["linkedin-version"])
    assert req.arg("q") == "organizationalEntity"
    assert req.arg("organizationalEntity") == fake.author
    assert req.arg("shares") == f"List({','.join(ids)})"
    assert req.response.status == 200
    element = req.response.body["elements"][0]
    assert set(client.metric_fields) <= set(element["totalShareStatistics"])


def test_linkedin_urns_are_encoded_inside_the_list(fake_factory):
    """Rest.li 2.0: the URNs in ``List(...)`` are URL-encoded (``urn%3Ali%3Ashare%3A1``), the
    list's own parentheses and commas are not."""
    import requests

    fake = fake_factory("linkedin")
    client = client_for(fake)
    sent: list[str] = []
    original = requests.Session.request

    def spy(self, method, url, *args, **kwargs):
        sent.append(url)
        return original(self, method, url, *args, **kwargs)

    client.session.request = spy.__get__(client.session)
    client.metrics(["urn:li:share:1", "urn:li:share:2"])
    (url,) = sent
    assert "shares=List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A2)" in url
    assert "organizationalEntity=urn%3Ali%3Aorganization%3A5515715" in url
    assert unquote(url.split("shares=", 1)[1]) == "List(urn:li:share:1,urn:li:share:2)"
