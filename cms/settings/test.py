"""Test settings: fast hashing, tasks run at once, content and site in a temporary folder.

``RELAIS_TEST_DATABASE_URL`` (e.g. postgres://postgres@127.0.0.1:5432/relais) runs the suite on
PostgreSQL instead of SQLite (in a test database named ``RELAIS_TEST_DATABASE_NAME`` if set,
else ``test_`` and the database's name).
"""

import base64
import hashlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("RELAIS_TASK_BACKEND", "immediate")
if os.environ.get("RELAIS_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["RELAIS_TEST_DATABASE_URL"]

_tmp = Path(tempfile.mkdtemp(prefix="relais-test-"))
os.environ.setdefault("RELAIS_VAR_DIR", str(_tmp / "var"))
os.environ.setdefault("RELAIS_CONTENT_DIR", str(_tmp / "content"))
os.environ.setdefault("RELAIS_SITE_OUTPUT", str(_tmp / "site" / "output"))

from .base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = "relais-test-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test.sqlite3")}  # noqa: F405
elif os.environ.get("RELAIS_TEST_DATABASE_NAME"):  # the test database's own name on PostgreSQL
    DATABASES["default"]["TEST"] = {"NAME": os.environ["RELAIS_TEST_DATABASE_NAME"]}  # noqa: F405

# Tests use the fixed development key (see dev.py); production requires RELAIS_CREDENTIALS_KEY.
_DEV_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"relais-development-credentials-key").digest()
).decode()
RELAIS_CREDENTIALS_KEY = RELAIS_CREDENTIALS_KEY or _DEV_KEY  # noqa: F405
