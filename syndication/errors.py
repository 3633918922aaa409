"""The errors of syndication, each saying what to do next.

The delivery engine only needs three families to decide what happens to a post:

* :class:`TransientError` (and :class:`RateLimited`): try again later. ``uncertain`` tells whether
  the network may have created the post anyway (the request left, no answer came back): the
  engine then looks for the post with ``find_existing`` before it sends again.
* :class:`PermanentError` (and :class:`PostRejected`): the network refused, retrying will not help.
* :class:`ReconnectNeeded`: the token is expired or revoked and cannot be refreshed; the account
  must be reconnected by a person before anything is sent with it.

:class:`ComposeError` and its subclasses are raised before anything is sent.
No message of these errors ever contains a token: clients redact them before raising.
"""

from __future__ import annotations


class SyndicationError(Exception):
    """Base class of every error raised by the syndication library."""

    def __init__(self, message: str, *, network: str = ""):
        super().__init__(message)
        self.network = network
        self.message = message


# -- composing -----------------------------------------------------------------------------------


class ComposeError(SyndicationError):
    """The item cannot be turned into a post (missing URL, text that cannot fit)."""


class NotSyndicable(ComposeError):
    """This item cannot go to this network at all (Instagram and an item without image).

    Not a failure: the item is skipped for that network, with ``message`` as the reason.
    """


class OverrideTooLong(ComposeError):
    """The editor's own text for a network is over that network's limit."""

    def __init__(self, message: str, *, network: str = "", length: int = 0, limit: int = 0):
        super().__init__(message, network=network)
        self.length = length
        self.limit = limit


class PollRefused(ComposeError):
    """A poll the network cannot take: the network has no polls in its API, or the poll is
    outside its limits (options, their length, duration, its question). ``reason`` says which:
    ``"unsupported"``, ``"options"``, ``"option_length"``, ``"duration"`` or ``"question"``."""

    def __init__(self, message: str, *, network: str = "", reason: str = "unsupported"):
        super().__init__(message, network=network)
        self.reason = reason


# -- delivering ----------------------------------------------------------------------------------


class DeliveryError(SyndicationError):
    """A call to a network failed. ``status`` is the HTTP status when there was an answer,
    ``detail`` the network's own words (redacted), when it gave some."""

    def __init__(
        self, message: str, *, network: str = "", status: int | None = None, detail: str = ""
    ):
        super().__init__(message, network=network)
        self.status = status
        self.detail = detail


class TransientError(DeliveryError):
    """Worth retrying: 5xx, timeout, reset connection, rate limit.

    ``uncertain`` is True when the request may have been processed (it was sent and no answer
    came back, or a 5xx came after a create call): the post may exist on the network.
    ``retry_after`` is the delay in seconds the network asked for, when it said so.
    """

    def __init__(
        self,
        message: str,
        *,
        network: str = "",
        status: int | None = None,
        uncertain: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(message, network=network, status=status)
        self.uncertain = uncertain
        self.retry_after = retry_after


class PartialPull(TransientError):
    """A pull of conversations stopped on a transient failure after reading part of them:
    ``messages`` were read and ``cursor`` is where the next pull goes on from. Store both, then
    pull again later (after ``retry_after`` when the network said so): nothing is lost and
    nothing comes twice."""

    def __init__(
        self,
        message: str,
        *,
        messages: list | None = None,
        cursor: str | None = None,
        network: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, network=network, status=status, retry_after=retry_after)
        self.messages = list(messages or [])
        self.cursor = cursor


class RateLimited(TransientError):
    """The network said "too many requests" (429 or its own code): nothing was created."""


class PermanentError(DeliveryError):
    """The network refused in a way that retrying cannot fix: a person has to change something."""


class PostRejected(PermanentError):
    """The network refused this post (validation error, duplicate, missing permission)."""


class CapabilityError(PermanentError):
    """The network, the app's access level (tier) or the token's scopes do not allow this
    action (``capability``: "pull", "thread", "reply", "like", "hide"). Not a failure of the
    delivery: the caller says so on the account and goes on with the other networks."""

    def __init__(
        self, message: str, *, network: str = "", capability: str = "", status: int | None = None
    ):
        super().__init__(message, network=network, status=status)
        self.capability = capability


class ReconnectNeeded(PermanentError):
    """The account's token is expired or revoked and could not be refreshed.

    The Django side marks the account "reconnect needed"; nothing more is sent with it until a
    person reconnects it in Settings → Networks.
    """
