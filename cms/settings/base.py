"""Settings shared by every environment. Machine-specific values come from the environment:

- ``DATABASE_URL``: defaults to SQLite in ``var/relais.sqlite3``; ``postgres://user@host/db`` works
  with the ``postgres`` extra installed.
- ``RELAIS_TASK_BACKEND``: ``database`` (default: a queue in the database, run by
  ``manage.py relais_worker``), ``rq`` (Redis, with ``RELAIS_REDIS_URL``) or ``immediate``
  (run tasks inside the request; for tests and debugging only).
- ``RELAIS_SITE_URL``: public address of the static site; ``RELAIS_CMS_URL``: of the admin.
- ``RELAIS_CONTENT_DIR``, ``RELAIS_SITE_OUTPUT``: where content files and the built site go.
- ``RELAIS_DEPLOY`` (``folder`` or ``s3``), ``RELAIS_S3_*``, ``RELAIS_DEPLOY_*``: the site copied
  to S3-compatible storage; ``RELAIS_MEDIA_STORAGE=s3``: the media there too.
- ``RELAIS_SECRET_KEY`` (production), ``RELAIS_CREDENTIALS_KEY``: encryption key of network
  credentials.
- ``RELAIS_EMAIL_HOST`` (and ``_PORT``, ``_USER``, ``_PASSWORD``, ``_USE_TLS``, ``_USE_SSL``) or
  ``RELAIS_EMAIL_BACKEND``: how mail is sent (production requires one that delivers).
- ``RELAIS_RATE_LIMIT_REDIS_URL``: count the rate limits in Redis instead of the database.
- ``RELAIS_ALLOW_PRIVATE_NETWORKS``: development only (see :mod:`cms.core.outbound`).
- ``RELAIS_WATCH_ALLOW_PRIVATE``: watched sources on private addresses (see :mod:`cms.watch.conf`).
"""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("RELAIS_VAR_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "cms.core",
    "cms.federation",
    "cms.taxonomy",
    "cms.content",
    "cms.publishing",
    "cms.members",
    "cms.audience",
    "cms.social",
    "cms.stats",
    "cms.conversations",
    "cms.pool",
    "cms.watch",
    "cms.discuss",
    "cms.newsletter",
    "cms.associations",
    "cms.ambassadors",
    "cms.handover",
    "cms.surveys",
    "cms.calendar",
    "cms.demo",
    "cms.backup",
    "wagtail_headless_preview",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # an admin URL naming another association's object answers 404 (cms.federation)
    "cms.federation.middleware.AdminScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.core.context_processors.relais",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'relais.sqlite3'}", conn_max_age=60
    )
}
#: Django's SQLite backend whose threads of one process take turns to write (cms.core.sqlite3)
SQLITE_ENGINE = "cms.core.sqlite3"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the admin write at the same time: wait for the lock instead of failing,
    # and let readers go on while one writes; the worker's threads wait their turn in the
    # process rather than polling SQLite's lock.
    DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# French admin by default; English available per user (Wagtail account settings)
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
FORMAT_MODULE_PATH = ["cms.core.formats"]  # times on 24 hours in French and English

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail
WAGTAIL_SITE_NAME = "Relais"
WAGTAILADMIN_BASE_URL = os.environ.get("RELAIS_CMS_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAIL_ALLOW_UNICODE_SLUGS = False  # slugs are file names and URLs: ASCII only
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# The static site shows external media as links: no oEmbed request is needed to save an item.
# Set RELAIS_OEMBED=1 to fetch titles and thumbnails from the providers first.
WAGTAILEMBEDS_FINDERS = [{"class": "cms.content.embeds.LinkFinder"}]
if os.environ.get("RELAIS_OEMBED") == "1":
    WAGTAILEMBEDS_FINDERS.insert(0, {"class": "wagtail.embeds.finders.oembed"})
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# An association's data stays home: the admin asks nothing of anyone else. Wagtail would send
# each user's e-mail hash to gravatar.com for their picture (RELAIS_GRAVATAR=1 turns it back on)
# and ask releases.wagtail.org for a newer version (RELAIS_UPDATE_CHECK=1).
WAGTAIL_GRAVATAR_PROVIDER_URL = (
    "//www.gravatar.com/avatar" if os.environ.get("RELAIS_GRAVATAR") == "1" else None
)
WAGTAIL_ENABLE_UPDATE_CHECK = os.environ.get("RELAIS_UPDATE_CHECK") == "1"

# The static site
RELAIS_SITE_URL = os.environ.get("RELAIS_SITE_URL", "http://127.0.0.1:8001").rstrip("/")
RELAIS_CONTENT_DIR = Path(os.environ.get("RELAIS_CONTENT_DIR", BASE_DIR / "content"))
RELAIS_SITE_OUTPUT = Path(os.environ.get("RELAIS_SITE_OUTPUT", BASE_DIR / "site" / "output"))

# Deploy targets (README: "Deploying to object storage"). The builder always writes the live site
# into its folder (RELAIS_SITE_OUTPUT); with RELAIS_DEPLOY=s3 every publication is also copied to
# S3-compatible object storage (the `s3` extra), only the files it changed.
RELAIS_DEPLOY = os.environ.get("RELAIS_DEPLOY", "folder")
if RELAIS_DEPLOY not in ("folder", "s3"):
    raise RuntimeError(
        f"RELAIS_DEPLOY={RELAIS_DEPLOY!r}: use `folder` (the default: the site in "
        "RELAIS_SITE_OUTPUT only) or `s3` (also copied to the bucket RELAIS_S3_BUCKET)."
    )
# The S3-compatible storage: address (empty: AWS), region, bucket and credentials (empty: boto3's
# own chain: AWS_* variables, the machine's role). The site and the media may share it.
RELAIS_S3 = {
    "endpoint_url": os.environ.get("RELAIS_S3_ENDPOINT_URL", ""),
    "region": os.environ.get("RELAIS_S3_REGION", ""),
    "bucket": os.environ.get("RELAIS_S3_BUCKET", ""),
    "access_key_id": os.environ.get("RELAIS_S3_ACCESS_KEY_ID", ""),
    "secret_access_key": os.environ.get("RELAIS_S3_SECRET_ACCESS_KEY", ""),
    # attempts per request before a deploy gives up (and the next build resumes it)
    "max_attempts": int(os.environ.get("RELAIS_S3_MAX_ATTEMPTS", "5")),
}
# Key prefix of the first association's site; the others go below it, in their folder.
RELAIS_DEPLOY_PREFIX = os.environ.get("RELAIS_DEPLOY_PREFIX", "")
# Per association (by its identifier), what differs: {"alumni-sud": {"bucket": "sud",
# "prefix": "", "to": "s3" or "folder", "purge": ...}}; any key of RELAIS_S3 may be given.
try:
    RELAIS_DEPLOY_SITES = json.loads(os.environ.get("RELAIS_DEPLOY_SITES") or "{}")
except ValueError as exc:
    raise RuntimeError(
        f"RELAIS_DEPLOY_SITES is not valid JSON ({exc}): give an object by association "
        'identifier, e.g. {"alumni-sud": {"bucket": "alumni-sud-site", "prefix": ""}}.'
    ) from None
# After each deploy, the CDN is told what changed: an http(s):// address (POSTed a JSON list of
# paths, with RELAIS_DEPLOY_PURGE_TOKEN as a bearer token) or the dotted path of a function
# called as f(paths, site_url=...).
RELAIS_DEPLOY_PURGE = os.environ.get("RELAIS_DEPLOY_PURGE", "")
RELAIS_DEPLOY_PURGE_TOKEN = os.environ.get("RELAIS_DEPLOY_PURGE_TOKEN", "")
if RELAIS_DEPLOY == "s3" and not RELAIS_S3["bucket"]:
    raise RuntimeError(
        "RELAIS_DEPLOY=s3 needs the bucket: set RELAIS_S3_BUCKET (and RELAIS_S3_ENDPOINT_URL, "
        "RELAIS_S3_REGION and the RELAIS_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY credentials "
        "unless they come from AWS_* variables or the machine's role)."
    )
# Uploaded images and documents: in MEDIA_ROOT, or with RELAIS_MEDIA_STORAGE=s3 in the bucket
# (RELAIS_MEDIA_S3_BUCKET, default RELAIS_S3_BUCKET) under RELAIS_MEDIA_PREFIX, through
# django-storages, so that web processes on several machines share them.
RELAIS_MEDIA_STORAGE = os.environ.get("RELAIS_MEDIA_STORAGE", "folder")
if RELAIS_MEDIA_STORAGE not in ("folder", "s3"):
    raise RuntimeError(
        f"RELAIS_MEDIA_STORAGE={RELAIS_MEDIA_STORAGE!r}: use `folder` (MEDIA_ROOT, the "
        "default) or `s3` (the bucket of RELAIS_MEDIA_S3_BUCKET or RELAIS_S3_BUCKET)."
    )
if RELAIS_MEDIA_STORAGE == "s3":
    _media_bucket = os.environ.get("RELAIS_MEDIA_S3_BUCKET") or RELAIS_S3["bucket"]
    if not _media_bucket:
        raise RuntimeError(
            "RELAIS_MEDIA_STORAGE=s3 needs a bucket: set RELAIS_MEDIA_S3_BUCKET or "
            "RELAIS_S3_BUCKET (with the other RELAIS_S3_* settings of the storage)."
        )
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _media_bucket,
            "location": os.environ.get("RELAIS_MEDIA_PREFIX", "media").strip("/"),
            "endpoint_url": RELAIS_S3["endpoint_url"] or None,
            "region_name": RELAIS_S3["region"] or None,
            "access_key": RELAIS_S3["access_key_id"] or None,
            "secret_key": RELAIS_S3["secret_access_key"] or None,
            "file_overwrite": False,  # Wagtail names files once: never replace another's
            "querystring_auth": True,  # the bucket may stay private: signed addresses
        },
    }

# The /health/ endpoint for monitoring answers requests that send this token
# (`Authorization: Bearer <token>`); unset, it is off (see README, "Health").
RELAIS_HEALTH_TOKEN = os.environ.get("RELAIS_HEALTH_TOKEN", "")

# Draft preview through the site's own templates (wagtail-headless-preview)
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": f"{WAGTAILADMIN_BASE_URL}/relais-preview/"},
    "REDIRECT_ON_PREVIEW": False,
    "ENFORCE_TRAILING_SLASH": True,
}

# Background tasks. The project's tasks go to the "relais" backend, on named queues. Wagtail's
# own tasks (its search index and reference index, updated at every save of a page) are on
# "default": with RELAIS_WAGTAIL_TASKS=queue (the production settings' default) and a queue
# (database or RQ) they go there too, on its queue "default", and the workers taking
# "publishing" run them, so that an editor's Publish does not wait for them; otherwise they
# run at once.
# Full rebuilds have a queue of their own: a worker started with `--queues rebuilds` takes them,
# so that one association's full rebuild never holds up another's publications.
RELAIS_QUEUES = ["publishing", "syndication", "maintenance", "rebuilds"]
_task_backend = os.environ.get("RELAIS_TASK_BACKEND", "database")
_relais_backends = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend"},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "dummy": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
}
if _task_backend not in _relais_backends:
    raise RuntimeError(
        f"RELAIS_TASK_BACKEND={_task_backend!r} is not a known queue backend: use one of "
        f"{', '.join(_relais_backends)}."
    )
WAGTAIL_TASKS_QUEUE = "default"
#: Wagtail's tasks on the project's queue, when it has one (``RELAIS_WAGTAIL_TASKS=queue``, the
#: production settings' default), else run at once (``inline``, the default here: ``make run``).
WAGTAIL_QUEUED_BACKEND = (
    {**_relais_backends[_task_backend], "QUEUES": [WAGTAIL_TASKS_QUEUE]}
    if _task_backend in ("database", "rq")
    else None
)
_wagtail_tasks = os.environ.get("RELAIS_WAGTAIL_TASKS", "inline")
if _wagtail_tasks not in ("inline", "queue"):
    raise RuntimeError(
        f"RELAIS_WAGTAIL_TASKS={_wagtail_tasks!r}: use 'queue' (the worker runs Wagtail's index "
        "updates) or 'inline' (the request that saves a page runs them)."
    )
TASKS = {
    "default": (
        WAGTAIL_QUEUED_BACKEND
        if WAGTAIL_QUEUED_BACKEND and _wagtail_tasks == "queue"
        else {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    ),
    "relais": {**_relais_backends[_task_backend], "QUEUES": RELAIS_QUEUES},
}
RQ_QUEUES = {
    name: {
        "URL": os.environ.get("RELAIS_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DEFAULT_TIMEOUT": 600,
    }
    for name in [*RELAIS_QUEUES, WAGTAIL_TASKS_QUEUE]
}
if _task_backend == "rq":
    INSTALLED_APPS.append("django_rq")

# The site list and settings are cached: the cache must be shared by the admin and the worker
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
if os.environ.get("RELAIS_REDIS_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["RELAIS_REDIS_CACHE_URL"],
    }

# Sign-ups ("Adhérer") and audience (see README, "Sign-ups and audience")
RELAIS_SIGNUP_RATE_LIMITS = {"ip": (10, 3600), "email": (3, 24 * 3600)}  # (attempts, seconds)
# The newsletter's subscribe form on the static sites (cms.newsletter): attempts per client
# address and per e-mail address in a window of seconds
RELAIS_NEWSLETTER_RATE_LIMITS = {"ip": (10, 3600), "email": (3, 24 * 3600)}
# Answers to one open (anonymous) survey accepted per client address in a window of seconds
# (cms.surveys): an office or a school behind one address answers many times
RELAIS_SURVEY_ANSWERS_PER_ADDRESS = (30, 3600)
# A delivery attempted but never marked sent (its worker died) is "uncertain" after this long,
# and never resent by itself (see cms.newsletter.sending)
RELAIS_NEWSLETTER_UNCERTAIN_AFTER = int(os.environ.get("RELAIS_NEWSLETTER_UNCERTAIN_AFTER", "600"))
RELAIS_SIGNUP_FIRST_TOUCH_COOKIE = os.environ.get("RELAIS_SIGNUP_FIRST_TOUCH_COOKIE", "1") != "0"
RELAIS_SIGNUP_FIRST_TOUCH_DAYS = 30
# Sign-ups older than this are deleted by the worker each night (GDPR storage limitation; three
# years is the CNIL's reference for prospects). 0 keeps them until deleted by hand.
RELAIS_SIGNUP_RETENTION_DAYS = int(os.environ.get("RELAIS_SIGNUP_RETENTION_DAYS", "1095"))
# Header set by the reverse proxy with the client's address (e.g. HTTP_X_FORWARDED_FOR): the
# rate limit per address reads its last value. Empty: REMOTE_ADDR (no proxy).
RELAIS_CLIENT_IP_HEADER = os.environ.get("RELAIS_CLIENT_IP_HEADER", "")
RELAIS_COUNTER = os.environ.get("RELAIS_COUNTER", "1") != "0"  # the audience pixel on the site
# Page views counted per client address and window (attempts, seconds): a reader browsing the
# whole site stays far below; a script reloading one page to inflate it is counted this far only.
RELAIS_COUNTER_RATE_LIMIT = (300, 3600)
# Distinct utm_source, utm_medium and utm_campaign values counted per day, each: past it, a new
# value is counted as "autre" (random tags make one row, not one row each).
RELAIS_COUNTER_DISTINCT_VALUES = int(os.environ.get("RELAIS_COUNTER_DISTINCT_VALUES", "50"))
# Where the rate limits count (cms.core.ratelimit): the database by default; a Redis URL to
# share them between machines (a Redis that does not evict keys: maxmemory-policy noeviction).
RELAIS_RATE_LIMIT_REDIS_URL = os.environ.get("RELAIS_RATE_LIMIT_REDIS_URL", "")

# Syndication (cms.social). Network credentials are encrypted with RELAIS_CREDENTIALS_KEY: one
# Fernet key, or several separated by commas, newest first (older ones still decrypt during a
# rotation). Required in production; the dev and test settings derive a fixed development key.
RELAIS_CREDENTIALS_KEY = os.environ.get("RELAIS_CREDENTIALS_KEY", "")
# The OAuth applications the association registered with each network (README: "Connecting the
# networks"); endpoints and limits have defaults in cms/social/conf.py, overridable here.
RELAIS_SOCIAL = {
    "x": {
        "client_id": os.environ.get("RELAIS_X_CLIENT_ID", ""),
        "client_secret": os.environ.get("RELAIS_X_CLIENT_SECRET", ""),
    },
    "linkedin": {
        "client_id": os.environ.get("RELAIS_LINKEDIN_CLIENT_ID", ""),
        "client_secret": os.environ.get("RELAIS_LINKEDIN_CLIENT_SECRET", ""),
    },
    "facebook": {
        "client_id": os.environ.get("RELAIS_META_APP_ID", ""),
        "client_secret": os.environ.get("RELAIS_META_APP_SECRET", ""),
    },
    "instagram": {
        "client_id": os.environ.get("RELAIS_META_APP_ID", ""),
        "client_secret": os.environ.get("RELAIS_META_APP_SECRET", ""),
    },
}

# Development and tests only: the server connects to addresses a person typed (a Mastodon
# server, a Bluesky PDS) over https and on public addresses only (cms.core.outbound).
# "loopback" also allows http:// and this machine's addresses, "1" every private address.
RELAIS_ALLOW_PRIVATE_NETWORKS = os.environ.get("RELAIS_ALLOW_PRIVATE_NETWORKS", "")

# The watch (cms.watch): watched sources must be https:// on public addresses unless
# RELAIS_WATCH_ALLOW_PRIVATE says "1" (any private address, http://) or "loopback" (this
# machine only); RELAIS_WATCH changes the cycle's timings (cms.watch.conf.DEFAULTS).
RELAIS_WATCH_ALLOW_PRIVATE = os.environ.get("RELAIS_WATCH_ALLOW_PRIVATE", "")
RELAIS_WATCH: dict = {}

# Posting budgets shared by every association (one X, LinkedIn and Meta application per
# installation) and per account: cms.social.budget.DEFAULTS, changed here by name.
RELAIS_SOCIAL_BUDGETS: dict = {}
# The delivery policy (cms.social.conf.DELIVERY, changed here by name); how many posts one
# worker has under way at once can also come from the environment (1: one at a time).
RELAIS_SOCIAL_DELIVERY: dict = {}
if os.environ.get("RELAIS_DELIVERY_CONCURRENCY"):
    RELAIS_SOCIAL_DELIVERY["concurrency"] = int(os.environ["RELAIS_DELIVERY_CONCURRENCY"])

# The pool (cms.pool): the posts of the copies of one pooled item are spread over this many
# minutes (0: not spread).
_spread = os.environ.get("RELAIS_POOL_SPREAD_MINUTES", "180").strip()
if not _spread.isdigit():
    raise RuntimeError(
        f"RELAIS_POOL_SPREAD_MINUTES={_spread!r}: give a whole number of minutes (180 by "
        "default; 0 posts the adopted copies at once)."
    )
RELAIS_POOL_SPREAD_MINUTES = int(_spread)

# E-mail (sign-up acknowledgements and notifications, reconnect notices). SMTP as soon as
# RELAIS_EMAIL_HOST is set; without it mails are printed on the console, which production
# refuses (cms/settings/production.py): they hold personal data.
EMAIL_HOST = os.environ.get("RELAIS_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("RELAIS_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("RELAIS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("RELAIS_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = os.environ.get("RELAIS_EMAIL_USE_SSL", "0") == "1"
EMAIL_USE_TLS = not EMAIL_USE_SSL and os.environ.get("RELAIS_EMAIL_USE_TLS", "1") != "0"
EMAIL_BACKEND = os.environ.get(
    "RELAIS_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("RELAIS_FROM_EMAIL", "Relais <noreply@relais.invalid>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "cms": {"handlers": ["console"], "level": "INFO"},
        "relais": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "pelican": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
