"""Settings of the social app, with their defaults: ``settings.RELAIS_SOCIAL`` overrides them
per network (``{"x": {"client_id": ..., "token_url": ...}}``), ``RELAIS_SOCIAL_DELIVERY``
overrides the delivery policy.

Endpoints are settings so that tests (and self-hosted servers) point them at local servers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

GRAPH_VERSION = "v23.0"

PROVIDERS: dict[str, dict[str, Any]] = {
    "bluesky": {
        "default_server": "https://bsky.social",
        "web_url": "https://bsky.app",
    },
    "mastodon": {
        "app_name": "Relais",
        "scopes": "read write:statuses",
    },
    "x": {
        "authorize_url": "https://x.com/i/oauth2/authorize",
        "token_url": "https://api.x.com/2/oauth2/token",
        "api_url": "https://api.x.com",
        "scopes": "tweet.read tweet.write users.read offline.access",
        "pkce": True,
    },
    "linkedin": {
        "authorize_url": "https://www.linkedin.com/oauth/v2/authorization",
        "token_url": "https://www.linkedin.com/oauth/v2/accessToken",
        "api_url": "https://api.linkedin.com",
        "scopes": "r_organization_social w_organization_social rw_organization_admin",
    },
    "facebook": {
        "authorize_url": f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth",
        "token_url": f"https://graph.facebook.com/{GRAPH_VERSION}/oauth/access_token",
        "api_url": "https://graph.facebook.com",
        "scopes": "pages_show_list,pages_read_engagement,pages_manage_posts",
    },
    "instagram": {
        "authorize_url": f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth",
        "token_url": f"https://graph.facebook.com/{GRAPH_VERSION}/oauth/access_token",
        "api_url": "https://graph.facebook.com",
        "scopes": "instagram_basic,instagram_content_publish,pages_show_list,"
        "pages_read_engagement,business_management",
    },
}

DELIVERY: dict[str, Any] = {
    # Delays longer than this are not slept in the worker: the task is enqueued again for then
    # (the engine's check before looking for an uncertain post is 20 s, so it is deferred too).
    "max_inline_delay": 5.0,
    "check_delay": 20.0,
    "max_attempts": 6,
    # A "sending" entry older than this was left by a worker that died mid-post.
    "sending_lease": 300.0,
    "timeout": 15.0,
    # How often the worker's clock looks for deliveries that nothing carries on
    # (cms.social.tasks.resume_task); 0 turns it off.
    "resume_every": 300.0,
    # A delivery still waiting this long after it was due has lost its queued task.
    "resume_grace": 600.0,
    # Posts under way at once in one worker (1: one at a time, in the queue's order), at most
    # `per_network` on one network and `per_account` on one account (cms.social.fanout). Each
    # post under way holds a database connection (on PostgreSQL: count them in
    # max_connections, with the web processes'; idle threads close theirs after 30 s).
    "concurrency": 64,
    "per_network": 16,
    "per_account": 2,
}

#: An account whose token expires within this is shown "expires soon".
EXPIRY_WARNING = dt.timedelta(days=7)
#: How long a connect flow may take between the redirect and the callback.
OAUTH_STATE_LIFETIME = dt.timedelta(minutes=15)


def provider(network: str) -> dict[str, Any]:
    """The settings of ``network``'s connect flow: defaults updated by ``RELAIS_SOCIAL``."""
    custom = getattr(settings, "RELAIS_SOCIAL", {}).get(network, {})
    return {**PROVIDERS.get(network, {}), **custom}


def delivery() -> dict[str, Any]:
    return {**DELIVERY, **getattr(settings, "RELAIS_SOCIAL_DELIVERY", {})}


#: Posting slots (``settings.RELAIS_SOCIAL_SLOTS`` overrides them): how far ahead "next free
#: slot" looks, and the most posts a network takes from one account in a day (what moving a
#: post in the calendar checks).
SLOTS: dict[str, Any] = {
    "horizon_days": 60,
    "daily_limits": {"instagram": 50},
}


def slots() -> dict[str, Any]:
    return {**SLOTS, **getattr(settings, "RELAIS_SOCIAL_SLOTS", {})}
