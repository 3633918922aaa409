import os

from .base import *  # noqa: F403
from .base import EMAIL_BACKEND, EMAIL_HOST, TASKS, WAGTAIL_QUEUED_BACKEND

DEBUG = False
try:
    SECRET_KEY = os.environ["RELAIS_SECRET_KEY"]
except KeyError:
    raise RuntimeError(
        "Set RELAIS_SECRET_KEY to a long random string (python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))') before starting Relais in production."
    ) from None
ALLOWED_HOSTS = [h for h in os.environ.get("RELAIS_ALLOWED_HOSTS", "").split(",") if h]

# Sign-ups' acknowledgements and notifications carry personal data: they must be delivered,
# never printed into the logs (console), kept in memory or in files, or dropped.
_UNDELIVERED = {
    f"django.core.mail.backends.{name}.EmailBackend"
    for name in ("console", "locmem", "dummy", "filebased")
}
if EMAIL_BACKEND in _UNDELIVERED or (
    EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend" and not EMAIL_HOST
):
    raise RuntimeError(
        f"E-mail is not configured for production (backend: {EMAIL_BACKEND}"
        f"{', no host' if not EMAIL_HOST else ''}): sign-ups' e-mails would not be delivered "
        "and their personal data would land in the logs. Set RELAIS_EMAIL_HOST (your SMTP "
        "server) and, as needed, RELAIS_EMAIL_PORT (587), RELAIS_EMAIL_USER, "
        "RELAIS_EMAIL_PASSWORD, RELAIS_EMAIL_USE_TLS (1) or RELAIS_EMAIL_USE_SSL; or set "
        "RELAIS_EMAIL_BACKEND to the dotted path of another backend that delivers mail."
    )
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# HTTPS only: browsers remember it for a year (RELAIS_HSTS_SECONDS=0 while trying a new domain).
# The header covers the CMS's own host and the hosts below it (cms.example.org and
# *.cms.example.org, never example.org itself); preloading is offered, not requested.
# Plain-http requests are redirected, unless the reverse proxy already does it
# (RELAIS_SSL_REDIRECT=0). The proxy must set X-Forwarded-Proto.
SECURE_HSTS_SECONDS = int(os.environ.get("RELAIS_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_SSL_REDIRECT = os.environ.get("RELAIS_SSL_REDIRECT", "1") != "0"

# Wagtail's own tasks (index updates) run in the workers, not in the editor's request, unless
# RELAIS_WAGTAIL_TASKS=inline (see cms.settings.base)
if WAGTAIL_QUEUED_BACKEND and os.environ.get("RELAIS_WAGTAIL_TASKS", "queue") == "queue":
    TASKS["default"] = WAGTAIL_QUEUED_BACKEND
