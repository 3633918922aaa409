"""Settings of the worker processes of the fan-out tests: those of the recovery tests, with
more attempts per post (faults are injected on 30 % of the requests: a post must not give up
after six unlucky ones) and, from the environment, a posting budget for X's application."""

import os

from tests.cms.worker_settings import *  # noqa: F403

RELAIS_SOCIAL_DELIVERY = {**RELAIS_SOCIAL_DELIVERY, "max_attempts": 20}  # noqa: F405
if os.environ.get("RELAIS_TEST_X_APPLICATION_POSTS"):
    RELAIS_SOCIAL_BUDGETS = {
        "x-application": {"posts": int(os.environ["RELAIS_TEST_X_APPLICATION_POSTS"])}
    }
