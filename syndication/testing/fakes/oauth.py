# ruff: noqa: S107, S311  (test fakes: no real secrets; token_path is a path)
"""A fake OAuth 2.0 authorization server: the authorization-code grant (RFC 6749) with PKCE
(RFC 7636), as the connect flows of X, LinkedIn, Facebook, Instagram and Mastodon use it.

:class:`OAuthProvider` holds the logic (registered clients, issued codes, tokens) and installs
its endpoints on any :class:`~syndication.testing.fakes.base.FakeServer`, at the paths the
network uses. :class:`FakeAuthorizationServer` is a fake server that is only that::

    auth = FakeAuthorizationServer(tokens={"access_token": fake_x.token, ...}).start()
    auth.provider.register_client("relais", "secret", ["http://testserver/callback/"], pkce=True)
    # GET  {auth.url}/oauth/authorize?response_type=code&client_id=...  -> 302 to the callback
    # POST {auth.url}/oauth/token  grant_type=authorization_code&code=...  -> the tokens

Mastodon registers its apps on the server itself (``POST /api/v1/apps``) and authorizes there
too: install a provider on a :class:`~syndication.testing.fakes.mastodon.FakeMastodon` with
``apps_path="/api/v1/apps"``.

The authorize endpoint stands for the provider's login and consent pages: it consents at once
(or refuses, with ``provider.deny = True``) and redirects to the client's ``redirect_uri``, which
must be one registered for the client, exactly, as real providers require.
"""

from __future__ import annotations

import base64
import hashlib
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from syndication.testing.fakes.base import FakeServer, Request, Response

TokenSource = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a PKCE verifier (RFC 7636, section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str = ""
    redirect_uris: list[str] = field(default_factory=list)
    #: PKCE required (X requires it of every client).
    pkce: bool = False
    name: str = ""
    scopes: str = ""


def _token(prefix: str) -> str:
    return f"{prefix}-{random.Random().getrandbits(64):016x}"


class OAuthProvider:
    """Registered clients, the codes issued by ``authorize`` and the tokens ``token`` gives.

    ``tokens`` is the body of a successful token answer (or a callable giving it); point it at
    the tokens the network's API fake accepts. ``long_lived`` is what Meta's
    ``grant_type=fb_exchange_token`` answers (the long-lived user token). Every authorization
    request is kept in ``authorizations`` and every successful token exchange in ``exchanges``.
    """

    code_lifetime = 600.0

    def __init__(
        self,
        tokens: TokenSource,
        *,
        long_lived: TokenSource | None = None,
        grant_type_optional: bool = False,
    ):
        self._tokens = tokens
        self._long_lived = long_lived
        #: Meta's code exchange sends no ``grant_type``.
        self.grant_type_optional = grant_type_optional
        self.clients: dict[str, OAuthClient] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorizations: list[dict[str, str]] = []
        self.exchanges: list[dict[str, str]] = []
        self.deny = False
        self._lock = threading.Lock()
        self._fallback: Callable[[Request], Response] | None = None

    # -- set-up --------------------------------------------------------------------------------

    def register_client(
        self,
        client_id: str,
        client_secret: str = "",
        redirect_uris: list[str] | tuple[str, ...] = (),
        *,
        pkce: bool = False,
    ) -> OAuthClient:
        client = OAuthClient(client_id, client_secret, list(redirect_uris), pkce)
        self.clients[client_id] = client
        return client

    def install(
        self,
        server: FakeServer,
        *,
        authorize_path: str = "/oauth/authorize",
        token_path: str = "/oauth/token",
        apps_path: str | None = None,
    ) -> OAuthProvider:
        """Serve this provider's endpoints from ``server`` (before its own routes). A token
        route the server had already (the fakes of X and LinkedIn renew tokens there) still
        answers the grants this provider does not handle (``refresh_token``)."""
        for method, pattern, handler, _auth in server.routes:
            if method == "POST" and pattern.match(token_path):
                self._fallback = handler
        routes = [
            ("GET", authorize_path, self.authorize),
            ("POST", token_path, self.token),
        ]
        if apps_path:
            routes.append(("POST", apps_path, self.register_app))
        saved = list(server.routes)
        server.routes.clear()
        for method, path, handler in routes:
            server.route(method, path, handler, auth=False)
        server.routes.extend(saved)
        return self

    @staticmethod
    def _source(source: TokenSource) -> dict[str, Any]:
        return dict(source() if callable(source) else source)

    # -- endpoints -----------------------------------------------------------------------------

    @staticmethod
    def _error(status: int, error: str, description: str) -> Response:
        return Response(status, {"error": error, "error_description": description})

    def authorize(self, request: Request) -> Response:
        """The login-and-consent page, reduced to its answer: a redirect with a code."""
        args = {k: request.arg(k) for k in request.query}
        self.authorizations.append(args)
        client = self.clients.get(args.get("client_id", ""))
        if client is None:
            return self._error(400, "invalid_client", "Unknown client_id.")
        redirect_uri = args.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            # Never redirect to an address the client did not register (RFC 6749, 4.1.2.1)
            return self._error(400, "invalid_request", "redirect_uri is not registered.")

        def back(**params: str) -> Response:
            if args.get("state"):
                params["state"] = args["state"]
            sep = "&" if "?" in redirect_uri else "?"
            return Response(302, None, {"Location": f"{redirect_uri}{sep}{urlencode(params)}"})

        if args.get("response_type") != "code":
            return back(error="unsupported_response_type")
        challenge = args.get("code_challenge", "")
        if client.pkce and not challenge:
            return back(error="invalid_request", error_description="PKCE is required.")
        if challenge and args.get("code_challenge_method", "plain") != "S256":
            return back(error="invalid_request", error_description="Use the S256 method.")
        if self.deny:
            return back(error="access_denied", error_description="The user refused.")
        code = _token("code")
        with self._lock:
            self.codes[code] = {
                "client_id": client.client_id,
                "redirect_uri": redirect_uri,
                "challenge": challenge,
                "scope": args.get("scope", ""),
                "issued": time.monotonic(),
            }
        return back(code=code)

    def _client_auth(self, request: Request, params: dict[str, str]) -> OAuthClient | None:
        client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                client_id, _, secret = (
                    base64.b64decode(header.split(" ", 1)[1]).decode().partition(":")
                )
            except ValueError:
                return None
        client = self.clients.get(client_id)
        if client is None or (client.client_secret and secret != client.client_secret):
            return None
        return client

    def token(self, request: Request) -> Response:
        params = {k: request.arg(k) for k in request.query}
        if request.body:
            params.update(request.form)
        grant = params.get("grant_type") or (
            "authorization_code" if self.grant_type_optional and params.get("code") else ""
        )
        if grant not in ("authorization_code", "fb_exchange_token") and self._fallback:
            return self._fallback(request)
        client = self._client_auth(request, params)
        if client is None:
            return self._error(401, "invalid_client", "Client authentication failed.")
        if grant == "fb_exchange_token" and self._long_lived is not None:
            return Response(200, self._source(self._long_lived))
        if grant != "authorization_code":
            return self._error(400, "unsupported_grant_type", f"Grant {grant!r} not supported.")
        with self._lock:
            issued = self.codes.pop(params.get("code", ""), None)  # a code works once
        if issued is None or time.monotonic() - issued["issued"] > self.code_lifetime:
            return self._error(400, "invalid_grant", "The code is invalid, used or expired.")
        if issued["client_id"] != client.client_id:
            return self._error(400, "invalid_grant", "The code was issued to another client.")
        if params.get("redirect_uri", "") != issued["redirect_uri"]:
            return self._error(400, "invalid_grant", "redirect_uri differs from the authorization.")
        if issued["challenge"]:
            verifier = params.get("code_verifier", "")
            if not verifier or pkce_challenge(verifier) != issued["challenge"]:
                return self._error(400, "invalid_grant", "code_verifier does not match.")
        tokens = self._source(self._tokens)
        self.exchanges.append({"client_id": client.client_id, "scope": issued["scope"]})
        return Response(200, tokens)

    def register_app(self, request: Request) -> Response:
        """Mastodon's ``POST /api/v1/apps``: a new client for this server."""
        data = request.json if request.content_type == "application/json" else request.form
        uris = data.get("redirect_uris") or ""
        if isinstance(uris, str):
            uris = uris.split()
        if not data.get("client_name") or not uris:
            return Response(422, {"error": "Validation failed: client_name and redirect_uris"})
        client = self.register_client(_token("app"), _token("app-secret"), uris)
        client.name, client.scopes = data["client_name"], data.get("scopes") or "read"
        return Response(
            200,
            {
                "id": client.client_id[-6:],
                "name": client.name,
                "website": data.get("website"),
                "scopes": client.scopes.split(),
                "redirect_uri": "\n".join(uris),
                "redirect_uris": uris,
                "client_id": client.client_id,
                "client_secret": client.client_secret,
            },
        )


class FakeAuthorizationServer(FakeServer):
    """A fake server that is only an authorization server (``provider`` at ``authorize_path``
    and ``token_path``); tests add the network's own extra routes with ``route()`` if needed."""

    network = "oauth"

    def __init__(
        self,
        tokens: TokenSource | None = None,
        *,
        provider: OAuthProvider | None = None,
        authorize_path: str = "/oauth/authorize",
        token_path: str = "/oauth/token",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if provider is None:
            if tokens is None:
                raise TypeError("Give the tokens to issue, or a provider.")
            provider = OAuthProvider(tokens)
        self.provider = provider
        self.authorize_path, self.token_path = authorize_path, token_path
        provider.install(self, authorize_path=authorize_path, token_path=token_path)

    @property
    def authorize_url(self) -> str:
        return f"{self.url}{self.authorize_path}"

    @property
    def token_url(self) -> str:
        return f"{self.url}{self.token_path}"
