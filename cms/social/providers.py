"""How each network's account is connected: what to ask the person, which calls to make, and the
accounts that can then be posted as (:class:`Candidate`).

* Bluesky: handle + app password, a session created on the person's server (PDS).
* Mastodon: the server's address; Relais registers itself there (``POST /api/v1/apps``), then
  the OAuth 2.0 authorization-code flow on that server.
* X: OAuth 2.0 authorization code with PKCE (S256); refresh tokens (``offline.access``).
* LinkedIn: OAuth 2.0 authorization code; the organisation pages the person administers.
* Facebook / Instagram: Meta's login (authorization code), the long-lived user token, then the
  Pages (and their Instagram professional accounts) with their own Page tokens.

Endpoints come from :mod:`cms.social.conf`, so tests point them at local fake servers. No
secret ever goes into a message or a log: errors quote only the provider's error code and
description, with the secrets of the request removed. Every request goes through
:func:`cms.core.outbound.session`, and the servers a person types (Mastodon's, Bluesky's PDS)
are first checked by :func:`cms.core.outbound.check_url`: https and public addresses only.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.core import outbound
from syndication.errors import DeliveryError, ReconnectNeeded
from syndication.networks.bluesky import BlueskyClient
from syndication.networks.facebook import FacebookClient
from syndication.networks.linkedin import LinkedInClient
from syndication.networks.mastodon import MastodonClient
from syndication.networks.x import XClient

from . import conf

TIMEOUT = 15


class ConnectError(Exception):
    """A connect flow that did not work; the message says what to do, in French."""


@dataclass
class Candidate:
    """An account the person may connect: what to store once they pick it."""

    remote_id: str
    display_name: str
    credentials: dict[str, Any] = field(repr=False)
    handle: str = ""
    profile_url: str = ""
    base_url: str = ""
    network_settings: dict[str, Any] = field(default_factory=dict)
    client_options: dict[str, Any] = field(default_factory=dict)
    token_expires_at: dt.datetime | None = None
    #: Ids the same account may be stored under by an earlier version of Relais.
    former_ids: list[str] = field(default_factory=list)

    def is_account(self, remote_id: str) -> bool:
        """Whether ``remote_id`` (of a stored account) names this account."""
        return remote_id == self.remote_id or remote_id in self.former_ids

    def to_session(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["token_expires_at"] = (
            self.token_expires_at.isoformat() if self.token_expires_at else None
        )
        return data

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> Candidate:
        values = dict(data)
        if values.get("token_expires_at"):
            values["token_expires_at"] = dt.datetime.fromisoformat(values["token_expires_at"])
        return cls(**values)


def _expiry(seconds: Any) -> dt.datetime | None:
    try:
        return timezone.now() + dt.timedelta(seconds=int(seconds)) if seconds else None
    except (TypeError, ValueError):
        return None


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _redact(text: str, *secret_values: str) -> str:
    for value in secret_values:
        if value and len(value) >= 4:
            text = text.replace(value, "[masqué]")
    return text


def _provider_error(response: requests.Response, *secret_values: str) -> str:
    try:
        data = response.json()
    except ValueError:
        data = {}
    if isinstance(data, dict) and isinstance(data.get("error"), dict):  # Meta
        detail = str(data["error"].get("message") or "")
    elif isinstance(data, dict):
        detail = " ".join(
            str(data.get(k)) for k in ("error", "error_description", "message") if data.get(k)
        )
    else:
        detail = ""
    return _redact(detail or f"HTTP {response.status_code}", *secret_values)[:300]


def blocked_message(server: str) -> str:
    return _(
        "Le serveur %(server)s renvoie vers une adresse qui n'est pas publique ou pas en https : "
        "Relais ne la suit pas. Donnez l'adresse publique du serveur, en https."
    ) % {"server": server}


def _api_error(network: str, exc: Exception) -> ConnectError:
    label = {
        "x": "X",
        "linkedin": "LinkedIn",
        "facebook": "Facebook",
        "instagram": "Instagram",
        "mastodon": "Mastodon",
        "bluesky": "Bluesky",
    }.get(network, network)
    if isinstance(exc, ReconnectNeeded):
        return ConnectError(
            _(
                "%(label)s a refusé le jeton obtenu : recommencez la connexion, en "
                "acceptant toutes les autorisations demandées."
            )
            % {"label": label}
        )
    return ConnectError(
        _("%(label)s ne répond pas comme prévu (%(detail)s) : réessayez dans quelques minutes.")
        % {"label": label, "detail": exc}
    )


class OAuthFlow:
    """An OAuth 2.0 authorization-code flow. Subclasses set ``network`` and implement
    :meth:`candidates` (what the tokens give access to)."""

    network: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def __init__(self) -> None:
        self.settings = conf.provider(self.network)

    @property
    def configured(self) -> bool:
        return bool(self.settings.get("client_id"))

    def not_configured_message(self) -> str:
        return _(
            "%(label)s n'est pas encore configuré : l'administrateur du serveur doit enregistrer "
            "une application chez %(label)s et donner son identifiant à Relais (voir le README, "
            "« Connecting the networks »)."
        ) % {"label": self.label}

    def start(self, redirect_uri: str, state: str) -> tuple[str, dict[str, Any]]:
        """The provider's authorize URL, and what to keep (encrypted) until the callback."""
        if not self.configured:
            raise ConnectError(self.not_configured_message())
        params = {
            "response_type": "code",
            "client_id": self.settings["client_id"],
            "redirect_uri": redirect_uri,
            "scope": self.settings["scopes"],
            "state": state,
        }
        keep: dict[str, Any] = {}
        if self.settings.get("pkce"):
            verifier, challenge = pkce_pair()
            params.update(code_challenge=challenge, code_challenge_method="S256")
            keep["verifier"] = verifier
        url = self.settings["authorize_url"]
        return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}", keep

    def token_request(
        self, code: str, redirect_uri: str, kept: Mapping[str, Any]
    ) -> tuple[dict[str, str], Any]:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.settings["client_id"],
        }
        if kept.get("verifier"):
            data["code_verifier"] = kept["verifier"]
        auth = None
        if self.settings.get("client_secret"):
            data["client_secret"] = self.settings["client_secret"]
        return data, auth

    def post_token(self, data: Mapping[str, str], auth: Any = None) -> dict[str, Any]:
        """POST to the token endpoint (never GET: a query string ends up in logs)."""
        secret_values = [
            str(v)
            for k, v in data.items()
            if k in ("code", "client_secret", "code_verifier", "fb_exchange_token")
        ]
        try:
            response = outbound.session().post(
                self.settings["token_url"],
                data=data,
                auth=auth,
                timeout=TIMEOUT,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException:
            raise ConnectError(
                _("%(label)s ne répond pas : réessayez dans quelques minutes.")
                % {"label": self.label}
            ) from None
        if response.status_code != 200:
            raise ConnectError(
                _(
                    "%(label)s a refusé la connexion (%(detail)s) : recommencez ; si cela se "
                    "reproduit, vérifiez l'application enregistrée chez %(label)s."
                )
                % {"label": self.label, "detail": _provider_error(response, *secret_values)}
            )
        try:
            tokens = response.json()
        except ValueError:
            tokens = {}
        if not tokens.get("access_token"):
            raise ConnectError(
                _("%(label)s n'a pas donné de jeton : recommencez la connexion.")
                % {"label": self.label}
            )
        return tokens

    def exchange(self, code: str, redirect_uri: str, kept: Mapping[str, Any]) -> dict[str, Any]:
        data, auth = self.token_request(code, redirect_uri, kept)
        return self.post_token(data, auth)

    def candidates(self, tokens: Mapping[str, Any], kept: Mapping[str, Any]) -> list[Candidate]:
        raise NotImplementedError


class XFlow(OAuthFlow):
    network, label = "x", "X"

    def token_request(self, code, redirect_uri, kept):
        data, _auth = super().token_request(code, redirect_uri, kept)
        auth = None
        if data.pop("client_secret", None):  # a confidential client authenticates with Basic
            auth = (self.settings["client_id"], self.settings["client_secret"])
        return data, auth

    def candidates(self, tokens, kept):
        credentials = {
            "access_token": tokens["access_token"],
            "refresh_token": tokens.get("refresh_token", ""),
            "client_id": self.settings["client_id"],
        }
        if self.settings.get("client_secret"):
            credentials["client_secret"] = self.settings["client_secret"]
        client = XClient(credentials, base_url=self.settings["api_url"], timeout=TIMEOUT)
        try:
            info = client.verify_credentials()
        except DeliveryError as exc:
            raise _api_error(self.network, exc) from None
        credentials.update(user_id=info.id, username=info.handle)
        return [
            Candidate(
                remote_id=info.id,
                display_name=info.name or info.handle,
                handle=f"@{info.handle}",
                profile_url=info.url,
                credentials=credentials,
                base_url=self.settings["api_url"],
                # With a refresh token the access token renews itself; without, it dies in 2 hours
                token_expires_at=None
                if tokens.get("refresh_token")
                else _expiry(tokens.get("expires_in")),
            )
        ]


class LinkedInFlow(OAuthFlow):
    network, label = "linkedin", "LinkedIn"

    def candidates(self, tokens, kept):
        auth_base = "{0.scheme}://{0.netloc}".format(urlsplit(self.settings["token_url"]))
        base = {
            "access_token": tokens["access_token"],
            "refresh_token": tokens.get("refresh_token", ""),
            "client_id": self.settings["client_id"],
            "client_secret": self.settings.get("client_secret", ""),
        }
        expires = _expiry(
            tokens.get("refresh_token_expires_in")
            if tokens.get("refresh_token")
            else tokens.get("expires_in")
        )
        client = LinkedInClient(base, base_url=self.settings["api_url"], timeout=TIMEOUT)
        try:
            acls = client.request(
                "GET",
                "/rest/organizationAcls",
                params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"},
            ).json()
            urns = [e["organization"] for e in acls.get("elements") or [] if e.get("organization")]
            found = []
            for urn in urns:
                org = client.request("GET", f"/rest/organizations/{urn.rsplit(':', 1)[1]}").json()
                found.append((urn, org.get("localizedName") or urn, org.get("vanityName") or ""))
            if not found:  # no page administered: post as the member
                me = client.request("GET", "/v2/userinfo").json()
                found.append((f"urn:li:person:{me['sub']}", me.get("name") or me["sub"], ""))
        except DeliveryError as exc:
            raise _api_error(self.network, exc) from None
        return [
            Candidate(
                remote_id=urn,
                display_name=name,
                handle=vanity,
                profile_url=f"https://www.linkedin.com/company/{vanity}/" if vanity else "",
                credentials={**base, "author": urn},
                base_url=self.settings["api_url"],
                client_options={"auth_base_url": auth_base},
                token_expires_at=expires,
            )
            for urn, name, vanity in found
        ]


class FacebookFlow(OAuthFlow):
    network, label = "facebook", "Facebook"

    def token_request(self, code, redirect_uri, kept):
        data, auth = super().token_request(code, redirect_uri, kept)
        data.pop("grant_type")  # Meta's code exchange takes none
        return data, auth

    def exchange(self, code, redirect_uri, kept):
        short = super().exchange(code, redirect_uri, kept)
        # A Page token obtained from a long-lived user token does not expire
        return self.post_token(
            {
                "grant_type": "fb_exchange_token",
                "client_id": self.settings["client_id"],
                "client_secret": self.settings.get("client_secret", ""),
                "fb_exchange_token": short["access_token"],
            }
        )

    def _pages(self, user_token: str, fields: str) -> list[dict[str, Any]]:
        client = FacebookClient(
            {"access_token": user_token}, base_url=self.settings["api_url"], timeout=TIMEOUT
        )
        try:
            return [
                p
                for page in client.edge_pages(
                    client.path("me", "accounts"), {"fields": fields, "limit": 100}
                )
                for p in page
            ]
        except DeliveryError as exc:
            raise _api_error(self.network, exc) from None

    def candidates(self, tokens, kept):
        pages = self._pages(tokens["access_token"], "id,name,link,access_token,tasks")
        return [
            Candidate(
                remote_id=str(p["id"]),
                display_name=p.get("name") or str(p["id"]),
                profile_url=p.get("link") or f"https://www.facebook.com/{p['id']}",
                credentials={"page_id": str(p["id"]), "access_token": p["access_token"]},
                base_url=self.settings["api_url"],
            )
            for p in pages
            if p.get("access_token")
        ]


class InstagramFlow(FacebookFlow):
    network, label = "instagram", "Instagram"

    def candidates(self, tokens, kept):
        pages = self._pages(
            tokens["access_token"], "id,name,access_token,instagram_business_account{id,username}"
        )
        found = []
        for page in pages:
            ig = page.get("instagram_business_account") or {}
            if ig.get("id") and page.get("access_token"):
                username = ig.get("username") or ""
                found.append(
                    Candidate(
                        remote_id=str(ig["id"]),
                        display_name=username or page.get("name", ""),
                        handle=f"@{username}" if username else "",
                        profile_url=f"https://www.instagram.com/{username}/" if username else "",
                        credentials={
                            "ig_user_id": str(ig["id"]),
                            "access_token": page["access_token"],
                        },
                        base_url=self.settings["api_url"],
                    )
                )
        return found


class MastodonFlow(OAuthFlow):
    """Mastodon: the app is registered on the person's server at the start of the flow."""

    network, label = "mastodon", "Mastodon"

    @property
    def configured(self) -> bool:
        return True

    @staticmethod
    def normalise(instance: str) -> str:
        instance = instance.strip().rstrip("/")
        if not instance.startswith(("http://", "https://")):
            instance = f"https://{instance}"
        return instance

    def register(self, instance: str, redirect_uri: str) -> dict[str, str]:
        """Register Relais on the server at ``instance`` (checked first: https, public)."""
        try:
            outbound.check_url(instance)
        except outbound.UnsafeAddress as exc:
            raise ConnectError(str(exc)) from None
        try:
            response = outbound.session().post(
                f"{instance}/api/v1/apps",
                json={
                    "client_name": self.settings["app_name"],
                    "redirect_uris": redirect_uri,
                    "scopes": self.settings["scopes"],
                    "website": settings.RELAIS_SITE_URL,
                },
                timeout=TIMEOUT,
            )
        except outbound.BlockedAddress:
            raise ConnectError(blocked_message(instance)) from None
        except requests.RequestException:
            raise ConnectError(
                _(
                    "Le serveur %(server)s ne répond pas : vérifiez son adresse "
                    "(par exemple mastodon.social)."
                )
                % {"server": instance}
            ) from None
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code != 200 or not data.get("client_id"):
            raise ConnectError(
                _(
                    "%(server)s n'a pas accepté l'inscription de Relais "
                    "(%(detail)s) : est-ce bien un serveur Mastodon ?"
                )
                % {"server": instance, "detail": _provider_error(response)}
            )
        return {
            "instance": instance,
            "client_id": data["client_id"],
            "client_secret": data["client_secret"],
        }

    def authorize_url(self, app: Mapping[str, str], redirect_uri: str, state: str) -> str:
        params = {
            "response_type": "code",
            "client_id": app["client_id"],
            "redirect_uri": redirect_uri,
            "scope": self.settings["scopes"],
            "state": state,
        }
        return f"{app['instance']}/oauth/authorize?{urlencode(params)}"

    def exchange(self, code, redirect_uri, kept):
        self.settings = {
            **self.settings,
            "token_url": f"{kept['instance']}/oauth/token",
            "client_id": kept["client_id"],
            "client_secret": kept["client_secret"],
        }
        data, auth = self.token_request(code, redirect_uri, kept)
        data["scope"] = self.settings["scopes"]
        return self.post_token(data, auth)

    def candidates(self, tokens, kept):
        instance = kept["instance"]
        client = MastodonClient(
            {"access_token": tokens["access_token"]},
            base_url=instance,
            timeout=TIMEOUT,
            session=outbound.session(),
        )
        try:
            info = client.verify_credentials()
        except DeliveryError as exc:
            raise _api_error(self.network, exc) from None
        # The handle's domain is the server's own (its instance's ``domain``), which may not be
        # the address typed in the form (``social.example`` served from ``mastodon.example``)
        host = urlsplit(instance).netloc
        domain = info.extra.get("domain") or host
        acct = info.handle if "@" in info.handle else f"{info.handle}@{domain}"
        return [
            Candidate(
                remote_id=f"{info.id}@{domain}",
                display_name=info.name or info.handle,
                handle=f"@{acct}",
                profile_url=info.url,
                credentials={"access_token": tokens["access_token"], "account_id": info.id},
                base_url=instance,
                network_settings=dict(info.extra.get("limits") or {}),
                # stored under the typed address before the domain was read from the server
                former_ids=[f"{info.id}@{host}"] if host != domain else [],
            )
        ]


def connect_bluesky(identifier: str, app_password: str, server: str) -> Candidate:
    """Create a session with the app password and read who it is."""
    server = server.strip().rstrip("/") or conf.provider("bluesky")["default_server"]
    try:
        outbound.check_url(server)
    except outbound.UnsafeAddress as exc:
        raise ConnectError(str(exc)) from None
    client = BlueskyClient(
        {"identifier": identifier.strip().lstrip("@"), "password": app_password.strip()},
        base_url=server,
        timeout=TIMEOUT,
        session=outbound.session(),
    )
    try:
        client.create_session()
        info = client.verify_credentials()
    except ReconnectNeeded:
        raise ConnectError(
            _(
                "Bluesky a refusé cet identifiant ou ce mot de passe d'application : vérifiez-les. "
                "Créez un mot de passe d'application dans Bluesky, Paramètres → Confidentialité et "
                "sécurité → Mots de passe d'application (jamais le mot de passe du compte)."
            )
        ) from None
    except DeliveryError:
        raise ConnectError(
            _("Le serveur %(server)s ne répond pas : vérifiez son adresse et réessayez.")
            % {"server": server}
        ) from None
    web = conf.provider("bluesky")["web_url"]
    return Candidate(
        remote_id=info.id,
        display_name=info.handle,
        handle=f"@{info.handle}",
        profile_url=f"{web}/profile/{info.handle}",
        credentials=client.credentials,
        base_url=server,
    )


FLOWS: dict[str, type[OAuthFlow]] = {
    "x": XFlow,
    "linkedin": LinkedInFlow,
    "facebook": FacebookFlow,
    "instagram": InstagramFlow,
    "mastodon": MastodonFlow,
}
