"""Settings of the worker processes that the recovery tests start and kill: the test settings
with the database queue, and times short enough for a test (heartbeats, the clock's lease, the
wait before looking for a post whose answer was lost)."""

from cms.settings.test import *  # noqa: F403

RELAIS_WORKERS = {
    "heartbeat": 0.5,
    "dead_after": 4.0,
    "clock_tick": 0.5,
    "clock_lease": 3.0,
    "recovery_every": 2.0,
    # a tree left by a killed build is removed at once (the lock still protects a live build)
    "orphan_min_age": 0.0,
}
RELAIS_SOCIAL_DELIVERY = {
    **RELAIS_SOCIAL_DELIVERY,  # noqa: F405  (the concurrency, from the environment)
    "timeout": 2.0,
    "check_delay": 1.0,
    "max_inline_delay": 0.2,
    "resume_every": 0,
}
# the fake networks of these tests run on loopback, over http
RELAIS_ALLOW_PRIVATE_NETWORKS = "loopback"
