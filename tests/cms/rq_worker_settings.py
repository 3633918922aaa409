"""Settings of the RQ worker processes of the multi-worker test: those of the recovery tests'
workers, with the deliveries' times short enough for a test (a delivery left ``sending`` by a
killed worker is carried on by the recovery once its lease is over)."""

from tests.cms.worker_settings import *  # noqa: F403
from tests.cms.worker_settings import RELAIS_SOCIAL_DELIVERY

RELAIS_SOCIAL_DELIVERY = {
    **RELAIS_SOCIAL_DELIVERY,
    "sending_lease": 3.0,
    "resume_grace": 2.0,
}
