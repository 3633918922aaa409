from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "relais-dev-only-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
