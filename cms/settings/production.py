import os

from .base import *  # noqa: F403

DEBUG = False
try:
    SECRET_KEY = os.environ["RELAIS_SECRET_KEY"]
except KeyError:
    raise RuntimeError(
        "Set RELAIS_SECRET_KEY to a long random string (python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))') before starting Relais in production."
    ) from None
ALLOWED_HOSTS = [h for h in os.environ.get("RELAIS_ALLOWED_HOSTS", "").split(",") if h]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
