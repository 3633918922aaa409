"""Settings of the fan-out benchmark's worker: the development settings without DEBUG (no query
log), the fake networks on loopback, and posting budgets large enough for the benchmark's 800
posts (Meta's application allows 60 an hour by default: the benchmark measures the fan-out, not
the budgets, which it still counts)."""

from cms.settings.dev import *  # noqa: F403

DEBUG = False
RELAIS_ALLOW_PRIVATE_NETWORKS = "loopback"
RELAIS_SOCIAL_BUDGETS = {
    "x-application": {"posts": 100_000},
    "x-account": {"posts": 10_000},
    "linkedin-account": {"posts": 10_000},
    "meta-application": {"posts": 100_000},
}
