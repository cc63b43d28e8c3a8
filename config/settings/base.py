"""Settings shared by every environment. Local, test and production modules extend these."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_admins, env_bool, env_days, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PLEDGES_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # Before the admin, so its tabs for each language's name replace the plain field.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "ninja",
    "pledges",
]

MIDDLEWARE = [
    # First, so every later line of the log carries the request's id.
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNulBytesMiddleware",
    # Repeat requests for public pages answered from memory, before the rest (see the module).
    "pledges.public.response_cache.PublicResponseCache",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The public pages' language: from the URL's prefix, else from Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The admin in the language an editor chose (their reminders are written in it too).
    "pledges.admin.middleware.EditorLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records which editor made each change in the audit history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Login throttling (django-axes): last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling: after AXES_FAILURE_LIMIT wrong passwords for one user name from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES (answer 429). Keyed on the pair, so a
# stranger cannot lock an editor out from elsewhere; a success resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind N reverse proxies, the client's address is the Nth from the right of X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Content Security Policy (django-csp): scripts, styles and everything else from this site only;
# no inline script and no eval anywhere, so an editor's text can never run as code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pledges.public.context_processors.site_text",
            ],
        },
    },
]

# SQLite in var/ unless DATABASE_URL names another database (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pledges.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several editors (and the worker) saving at once under `make run`: in WAL mode readers go on
    # while one writes, and IMMEDIATE takes the write lock as a transaction begins, so a second
    # writer waits for it (up to `timeout` seconds) instead of failing half-way with "database is
    # locked" (SQLite cannot upgrade a reader to a writer while another writes).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: in-process on a laptop; with several web processes, one Redis they all share
# (CACHE_URL, else REDIS_URL), so a page rendered by one is served by all.
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r} must be a redis://, rediss:// or unix:// address.")
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "pledges"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.BoundedMemoryCache",
            "LOCATION": "pledges-default",
            # Rendered pages and uploads between preview and confirm: a value may be a quarter of this.
            "OPTIONS": {"MAX_BYTES": env_int("PLEDGES_MEMORY_CACHE_BYTES", 256 * 1024 * 1024)},
        }
    }
# Whole public responses are also kept in each process (pledges.public.response_cache): their keys carry
# the data version, so a copy here is never stale, and one served from it skips most of Django. Bounded
# in bytes, not entries: a flood of distinct addresses costs each process at most this much.
CACHES["near"] = {
    "BACKEND": "config.cache.BoundedMemoryCache",
    "LOCATION": "pledges-near",
    "OPTIONS": {"MAX_BYTES": env_int("PLEDGES_NEAR_CACHE_BYTES", 32 * 1024 * 1024)},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Names editors translate in the admin (topics, units, countries: pledges/translation.py), one
# column per language; a name not yet translated shows in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Whole open-data files (/pledges.csv, /pledges.json), kept on each web host's disk once per data version.
PLEDGES_DUMP_DIR = Path(env_str("PLEDGES_DUMP_DIR", str(VAR_DIR / "dumps")))

# Logs: to stderr (the process manager keeps them), each line with the request's id; errors with
# their tracebacks, and, when ADMINS is set ("Name <address>, other@address"), by e-mail too.
ADMINS = env_admins("DJANGO_ADMINS")
SERVER_EMAIL = env_str("SERVER_EMAIL", "pledge-tracker@localhost")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.middleware.RequestIdLogFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "line"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["stderr"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {
            "handlers": ["stderr", "mail_admins"],
            "level": env_str("DJANGO_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # Lockouts are warnings; every login's bookkeeping at INFO would drown them.
        "axes": {"level": "WARNING"},
    },
}

# Known to everyone (it is in this repository): good for a laptop, refused by production.
LOCAL_SECRET_KEY = "local-only-not-secret-8f2d0c1e7b6a4d3f9e5a"

# E-mail: SMTP when EMAIL_HOST is set, otherwise messages are written as files under var/mail/.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pledge-tracker@localhost")

# Celery (config/celery_app.py). Production sets CELERY_BROKER_URL to Redis or RabbitMQ; the
# default is kombu's filesystem transport under var/, a broker that needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # The exchange table; kombu's default is "control" in the working directory.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # Redis hands an unacknowledged message to another worker after this long; it must exceed
    # the longest task (CELERY_TASK_TIME_LIMIT) or a slow sweep would run twice at once.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# JSON only: no pickled objects cross the broker, and any worker version can read a message.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Nobody reads task results; the reminder log in the database is the record.
CELERY_TASK_IGNORE_RESULT = True
# The sweep is idempotent (its claims are rows with a unique constraint), so acknowledge a task
# only when it has finished: a worker that dies mid-sweep has the task redelivered, not lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Take one task at a time, so a long task does not hold others hostage in a worker's buffer.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task may run forever: a hung SMTP server stops a sweep at the soft limit, a stuck one is
# killed at the hard limit. A reminder claim older than the claim timeout (below) is then
# surely orphaned, and the next sweep takes it over.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
# Keep trying to reach the broker when a worker starts before it.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat: a static schedule. The sweep is state-based, so a beat that was down catches up on its
# next run; no task is ever scheduled far ahead with an ETA or countdown.
CELERY_BEAT_SCHEDULE = {
    "send-reminders": {
        "task": "pledges.send_reminders",
        "schedule": env_int("PLEDGES_REMINDER_SWEEP_SECONDS", 300),
        # A sweep that could not start within one period is replaced by the next one.
        "options": {"expires": env_int("PLEDGES_REMINDER_SWEEP_SECONDS", 300)},
    },
    # Readers' subscriptions: confirmations and digests ("as it happens" means by the next sweep).
    "send-subscriptions": {
        "task": "pledges.send_subscriptions",
        "schedule": env_int("PLEDGES_SUBSCRIPTION_SWEEP_SECONDS", 300),
        "options": {"expires": env_int("PLEDGES_SUBSCRIPTION_SWEEP_SECONDS", 300)},
    },
    # Background imports whose worker died, and checks nobody confirmed: failed, files deleted.
    "end-dead-import-jobs": {
        "task": "pledges.end_dead_import_jobs",
        "schedule": env_int("PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS", 30),
        "options": {"expires": env_int("PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS", 30)},
    },
    "check-links": {
        "task": "pledges.check_links",
        "schedule": env_int("PLEDGES_LINK_CHECK_SWEEP_SECONDS", 3600),
        "options": {"expires": env_int("PLEDGES_LINK_CHECK_SWEEP_SECONDS", 3600)},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The product's own knobs.
# The link check (pledges.links): each sweep asks at most this many sources' addresses, each checked
# again after this many days, waiting at most this long for an answer. A private or loopback address
# is never asked (only the tests, with servers of their own on 127.0.0.1, allow it).
PLEDGES_LINK_CHECK_BATCH = env_int("PLEDGES_LINK_CHECK_BATCH", 200)
PLEDGES_LINK_CHECK_DAYS = env_int("PLEDGES_LINK_CHECK_DAYS", 7)
PLEDGES_LINK_CHECK_TIMEOUT_SECONDS = env_int("PLEDGES_LINK_CHECK_TIMEOUT_SECONDS", 10)
PLEDGES_LINK_CHECK_ALLOW_PRIVATE = False
# A dated deadline this many days away or fewer is "due soon".
PLEDGES_DUE_SOON_DAYS = env_int("PLEDGES_DUE_SOON_DAYS", 90)
# A pledge nobody has reviewed for this many days "needs review" (admin filter and reminders).
PLEDGES_REVIEW_INTERVAL_DAYS = env_int("PLEDGES_REVIEW_INTERVAL_DAYS", 90)
# Reminders go out this many days before a dated deadline's end (and when it has passed).
PLEDGES_REMINDER_LEAD_DAYS = env_days("PLEDGES_REMINDER_LEAD_DAYS", [90, 30, 7])
# A "window opens" or "deadline passed" reminder whose moment is more than this many days past is
# not sent: it is no longer news (a date an edit moved into the past). Shorter than a week would drop what a
# sweep after a few days' outage must still send.
PLEDGES_REMINDER_STALE_DAYS = env_int("PLEDGES_REMINDER_STALE_DAYS", 14)
# A sweep stops reading due pledges after this many seconds and sends what it claimed; the next
# sweep goes on from there. Half the soft time limit leaves the other half for sending.
PLEDGES_REMINDER_SWEEP_BUDGET_SECONDS = env_int(
    "PLEDGES_REMINDER_SWEEP_BUDGET_SECONDS", CELERY_TASK_SOFT_TIME_LIMIT // 2
)
# A reminder claimed this long ago and still unsent belongs to a sweep that died; it must be
# longer than CELERY_TASK_TIME_LIMIT, so a live sweep's claims are never taken over.
PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS = env_int("PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS", 600)
if PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS must be longer than CELERY_TASK_TIME_LIMIT.")
# Readers' e-mail subscriptions: at most this many confirmation e-mails to one address in a day
# (the form cannot be used to flood anyone), and an address not confirmed within this many days
# is deleted.
PLEDGES_SUBSCRIPTION_CONFIRMATIONS_PER_DAY = env_int("PLEDGES_SUBSCRIPTION_CONFIRMATIONS_PER_DAY", 3)
PLEDGES_SUBSCRIPTION_CONFIRM_DAYS = env_int("PLEDGES_SUBSCRIPTION_CONFIRM_DAYS", 7)
# The font the share cards are drawn in (pledges.public.cards); empty: Noto Sans CJK SC, installed
# from requirements-fonts.txt. It must have Latin, Cyrillic and Chinese glyphs.
PLEDGES_CARD_FONT = env_str("PLEDGES_CARD_FONT", "")
# The site's public address: the links in feeds, the JSON, the calendar and reminder e-mails.
PLEDGES_SITE_URL = env_str("PLEDGES_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many requests one client address may make of the read API (django-ninja's throttle).
PLEDGES_API_RATE = env_str("PLEDGES_API_RATE", "120/m")
# The largest CSV an editor may upload through the admin, in bytes.
PLEDGES_IMPORT_MAX_BYTES = env_int("PLEDGES_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Only the local settings create a first editor account automatically.
PLEDGES_CREATE_LOCAL_EDITOR = False

DATA_UPLOAD_MAX_MEMORY_SIZE = PLEDGES_IMPORT_MAX_BYTES

# django-import-export: import needs the model's "import" permission (pledges.import_pledge,
# pledges.import_progressupdate: the Editors group has them); export needs only "view", so
# viewers may download what they may read.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# The uploaded file waits for the confirm in the cache (shared by every web process in
# production), not in a temporary folder one process of many can see; for an hour, and a refused
# one not at all (pledges.files.admin.UploadStorage).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "pledges.files.admin.UploadStorage"
# An admin import larger than this (bytes, or for CSV and TSV rows) is checked and written by a
# Celery worker, with a progress bar on its page, instead of within the web request.
PLEDGES_IMPORT_BACKGROUND_BYTES = env_int("PLEDGES_IMPORT_BACKGROUND_BYTES", 2 * 1024 * 1024)
PLEDGES_IMPORT_BACKGROUND_ROWS = env_int("PLEDGES_IMPORT_BACKGROUND_ROWS", 5000)
# A file with more rows than this is refused, whatever its format, before its rows are checked. A
# spreadsheet is read only as far as this many rows (counting the gaps between them: a 2 KB XLSX can
# declare a million), and refused if its unpacked XML is larger than PLEDGES_IMPORT_MAX_UNPACKED_BYTES
# (a zip bomb is small on the way in).
# A background import's worker says it is alive this often (on PostgreSQL); a job silent for
# PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS is taken for dead, failed and its file deleted (on
# SQLite, which cannot take the heartbeat, once it has run past CELERY_TASK_TIME_LIMIT too).
PLEDGES_IMPORT_JOB_HEARTBEAT_SECONDS = env_int("PLEDGES_IMPORT_JOB_HEARTBEAT_SECONDS", 5)
PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS = env_int("PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS", 30)
if PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS <= 2 * PLEDGES_IMPORT_JOB_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS must exceed two heartbeats.")
# A checked file (a preview page's upload, a background job's check) waits this long for its
# confirm, then is deleted.
PLEDGES_IMPORT_CONFIRM_SECONDS = env_int("PLEDGES_IMPORT_CONFIRM_SECONDS", 3600)
PLEDGES_IMPORT_MAX_ROWS = env_int("PLEDGES_IMPORT_MAX_ROWS", 200_000)
PLEDGES_IMPORT_MAX_UNPACKED_BYTES = env_int("PLEDGES_IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
