"""The delivery engine: posts one item to one account exactly once, whatever happens.

``deliver(post, client, account)`` drives the ledger entry of ``post.item_key`` × ``account``:

* ``sending`` is written (attempt number, time) **before** the network call;
* a clear success becomes ``sent`` (remote id, URL); a refusal that retrying cannot fix
  becomes ``failed`` (reason); a token that cannot be renewed puts the entry back to ``pending``
  and raises :class:`~syndication.errors.ReconnectNeeded` for the caller to mark the account;
* a failure where the post may exist anyway (timeout, reset after sending, 5xx on the create
  call, an unexpected error after the call) becomes ``needs_check``: after at least
  ``policy.check_delay`` (time for a request still in flight to land) and before any new
  attempt, ``client.find_existing(post)`` looks for it and the entry becomes ``sent`` if it is
  there;
* a ``sending`` entry older than ``sending_lease`` was left by a worker that died mid-post:
  it is treated as ``needs_check``; a younger one belongs to a live worker and is left alone;
* other failures are retried after the policy's delay (slept through the injected ``sleep``);
  a delay longer than ``policy.max_inline_delay`` is not slept: the entry keeps ``retry_at``
  and ``deliver`` returns, for the caller's queue to run it again then.

``deliver`` returns the entry as it left it; the caller looks at ``entry.state``.

An answer to a message (:class:`~syndication.conversations.Reply`) is delivered the same way:
its ledger line is ``reply.item_key``, the call is ``client.reply`` and the look-up before a
retry ``client.find_reply``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from syndication.conversations import Reply
from syndication.errors import PermanentError, ReconnectNeeded, TransientError
from syndication.http import Client
from syndication.ledger import FINAL_STATES, Ledger, LedgerEntry, State
from syndication.models import Post, RemotePost
from syndication.policy import RetryPolicy

logger = logging.getLogger("syndication.delivery")


@dataclass
class DeliveryEngine:
    """Delivers posts through a :class:`~syndication.ledger.Ledger` with a retry policy.

    ``sleep`` and ``clock`` are injected so tests never wait; ``sending_lease`` is how long a
    ``sending`` entry is presumed to belong to a live worker (keep it above the client's
    timeout; a restarted lone worker may pass 0). ``find_existing`` is asked to look back to
    the uncertain attempt's time minus ``lookback_margin``, however long ago that was.
    """

    ledger: Ledger
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    sending_lease: float = 300.0
    #: How far before the uncertain attempt ``find_existing`` looks (clock skew, slow servers).
    lookback_margin: float = 900.0

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def _reread(self, entry: LedgerEntry) -> LedgerEntry:
        return self.ledger.get_or_create(entry.item_key, entry.account, entry.network)

    def _move(self, entry: LedgerEntry, **changes: object) -> LedgerEntry:
        """Apply ``changes``; if another worker wrote first, return its version instead."""
        new = self.ledger.update(entry, updated_at=self._now(), **changes)
        if new is None:
            return self._reread(entry)
        if "state" in changes:
            logger.info(
                "%s %s %s: %s -> %s %s",
                new.network,
                new.account,
                new.item_key,
                entry.state,
                new.state,
                new.reason,
            )
        return new

    def skip(self, item_key: str, account: str, network: str, reason: str) -> LedgerEntry:
        """Record that this network cannot take this item (not an error)."""
        entry = self.ledger.get_or_create(item_key, account, network)
        if entry.state in (State.PENDING, State.FAILED):
            entry = self._move(entry, state=State.SKIPPED, reason=reason)
        return entry

    def reset(self, entry: LedgerEntry) -> LedgerEntry:
        """Put a ``failed`` entry back to ``pending`` (a person fixed the cause)."""
        if entry.state != State.FAILED:
            return entry
        return self._move(entry, state=State.PENDING, attempt=0, reason="", retry_at=None)

    def _defer(self, entry: LedgerEntry, retries: int, error: TransientError) -> LedgerEntry | None:
        """Sleep before the next try and return None, or return the entry deferred."""
        delay = self.policy.delay(retries, error)
        if delay > self.policy.max_inline_delay or retries >= self.policy.max_attempts:
            when = self._now() + dt.timedelta(seconds=delay)
            return self._move(entry, retry_at=when)
        self.sleep(delay)
        return None

    @staticmethod
    def _send(client: Client, what: Post | Reply) -> RemotePost:
        """The network call: a post is published, an answer is posted in its thread."""
        return client.reply(what) if isinstance(what, Reply) else client.publish(what)

    @staticmethod
    def _find(client: Client, what: Post | Reply, since: dt.datetime) -> RemotePost | None:
        """The look-up before sending again after an uncertain attempt."""
        if isinstance(what, Reply):
            return client.find_reply(what, since=since)
        return client.find_existing(what, since=since)

    def deliver(self, post: Post | Reply, client: Client, account: str) -> LedgerEntry:
        """Deliver ``post`` (an item's post, or an answer to a message) to ``account``."""
        entry = self.ledger.get_or_create(post.item_key, account, post.network)
        retries = 0
        while True:
            if entry.state in FINAL_STATES:
                return entry
            if entry.retry_at is not None and entry.retry_at > self._now():
                wait = (entry.retry_at - self._now()).total_seconds()
                if wait > self.policy.max_inline_delay:
                    return entry
                self.sleep(wait)
            if entry.state == State.SENDING:
                age = (self._now() - (entry.updated_at or self._now())).total_seconds()
                if age < self.sending_lease:
                    return entry  # another worker is posting it right now
                entry = self._move(
                    entry,
                    state=State.NEEDS_CHECK,
                    reason="a worker stopped while posting: look for the post before sending again",
                )
                continue
            if entry.state == State.NEEDS_CHECK:
                since = (entry.attempted_at or entry.updated_at or self._now()) - dt.timedelta(
                    seconds=self.lookback_margin
                )
                try:
                    found = self._find(client, post, since)
                except TransientError as exc:
                    retries += 1
                    deferred = self._defer(entry, retries, exc)
                    if deferred is not None:
                        return deferred
                    continue
                except ReconnectNeeded:
                    raise
                except PermanentError as exc:
                    return self._move(entry, state=State.FAILED, reason=str(exc))
                if found is not None:
                    entry = self._move(
                        entry,
                        state=State.SENT,
                        remote_id=found.id,
                        remote_url=found.url,
                        reason="found on the network after an uncertain attempt",
                        retry_at=None,
                    )
                else:
                    entry = self._move(
                        entry,
                        state=State.PENDING,
                        retry_at=None,
                        reason=f"not found on the network after: {entry.reason}",
                    )
                continue
            # pending
            if entry.attempt >= self.policy.max_attempts:
                return self._move(
                    entry,
                    state=State.FAILED,
                    reason=f"gave up after {entry.attempt} attempts; last error: {entry.reason}",
                )
            now = self._now()
            sending = self.ledger.update(
                entry,
                state=State.SENDING,
                attempt=entry.attempt + 1,
                updated_at=now,
                attempted_at=now,
                retry_at=None,
            )
            if sending is None:  # another worker moved it first
                entry = self._reread(entry)
                continue
            try:
                remote = self._send(client, post)
            except TransientError as exc:
                state = State.NEEDS_CHECK if exc.uncertain else State.PENDING
                entry = self._move(sending, state=state, reason=str(exc))
                retries += 1
                deferred = self._defer(entry, retries, exc)
                if deferred is not None:
                    return deferred
                continue
            except ReconnectNeeded as exc:
                self._move(sending, state=State.PENDING, reason=str(exc))
                raise
            except PermanentError as exc:
                return self._move(sending, state=State.FAILED, reason=str(exc))
            except BaseException as exc:
                # A bug or an interruption after the call left: the post may exist.
                self._move(
                    sending,
                    state=State.NEEDS_CHECK,
                    reason=f"unexpected {type(exc).__name__} while posting",
                )
                raise
            return self._move(
                sending, state=State.SENT, remote_id=remote.id, remote_url=remote.url, reason=""
            )
