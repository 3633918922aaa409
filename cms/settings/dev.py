import base64
import hashlib

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "relais-dev-only-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".localhost"]  # .localhost: associations' sites

# Development only: a fixed key derived from a public string, so that the credentials stored in
# var/ survive restarts. It protects nothing: production requires RELAIS_CREDENTIALS_KEY
# (cms.social refuses to start without it).
_DEV_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"relais-development-credentials-key").digest()
).decode()
RELAIS_CREDENTIALS_KEY = RELAIS_CREDENTIALS_KEY or _DEV_KEY  # noqa: F405
