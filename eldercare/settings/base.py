"""Settings common to every environment; values come only from the environment (see .env.example).

With nothing configured the platform runs embedded: SQLite next to manage.py and Celery tasks
executed in process. `eldercare.settings` is these settings as they are; `production` and `test`
start from them (see the package's docstring).
"""

import datetime
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The embedded default needs a key too; production refuses to start without its own.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-embedded-default-key-change-me-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "eldercare.vendor_apps.KnoxConfig",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "djmoney",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "django_celery_results",
    "eldercare.vendor_apps.AxesConfig",
    "eldercare",
    "subsidies.standards",
    "subsidies.applications",
    "providers",
    "vouchers",
    "settlement",
    "outreach",
    "outreach.purchases",
    "outreach.calls",
    "outreach.checkins",
    "outreach.inspections",
    "outreach.reports",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "eldercare.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eldercare.urls"
WSGI_APPLICATION = "eldercare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "eldercare.context_processors.platform",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent requests on the embedded default wait for the writer instead of failing: each
    # transaction takes the write lock when it begins (a read that later writes cannot deadlock
    # with another writer), and readers do not block the writer (write-ahead log).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The covering indexes' extra columns (`include`) are PostgreSQL's, for the city-scale figures;
    # SQLite builds the same indexes on their keys alone, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # No JIT compilation: the platform's statements are short, and where the planner overestimates
    # a grouped count (a subquery per elder) PostgreSQL spends far longer compiling the statement
    # than running it (the coverage page at 100,000 elders: 215 of its 263 ms).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "eldercare.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "eldercare.passwords.CharacterKindsValidator"},
]
# Sessions end after two hours without a request (every request renews them) and when the browser
# closes: long enough for a caregiver's visit between check-in and check-out, short for an office
# screen left open (GB/T 22239-2019: session timeout).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language: Simplified Chinese always, unless the user picked another language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# locale_vendor: django-filter ships Chinese only as zh_CN; a copy under zh_Hans makes it load.
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "locale_vendor",
]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
# Uploaded materials and generated documents live outside the web root and are only served
# through views that check the viewer's scope.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

CACHES = {"default": env.cache("REDIS_URL", default="locmemcache://")}

# Personal data at rest: Fernet keys for encrypted fields, an HMAC key for the blind index.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="")

# Money
CURRENCIES = ("CNY",)
DEFAULT_CURRENCY = "CNY"
CURRENCY_CHOICES = [("CNY", "CNY ¥")]

# Celery: with no broker, tasks run in process so a newcomer needs nothing else running.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Work committed without its product (a decision notice without its PDF, a report still waiting)
# for this many minutes is produced again by the sweeper: its task was lost, e.g. the broker was
# down when it was enqueued.
SWEEP_AFTER_MINUTES = env.int("SWEEP_AFTER_MINUTES", default=10)
# The platform's public address: the verification QR code printed on official documents opens it
# (documents are also produced in the background, with no request to take the host from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# A monthly run that has written no sign of life for this many minutes died (its worker was
# killed): the sweeper marks it failed, and a new run of the month may start.
RUN_STALE_MINUTES = env.int("RUN_STALE_MINUTES", default=30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "eldercare.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "eldercare.paging.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "eldercare.errors.api_exception_handler",
    # Generous for people and scripts of a district, a brake on a runaway client or a scan.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", default="60/min"),
        "user": env("API_USER_RATE", default="1200/min"),
    },
}
# The phone app's tokens (eldercare.tokens): stored hashed; a token lives a shift after its last use
# (renewed at most every quarter of an hour, to spare the check-in a write), never longer than a
# week after sign-in, and ends on sign-out, a new password or a deactivated account.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=12)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=7)
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": datetime.timedelta(days=API_TOKEN_MAX_DAYS),
    "MIN_REFRESH_INTERVAL": 15 * 60,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Elder home-care subsidy platform API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the refusals the exception handler answers (eldercare/apischema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "eldercare.apischema.document_error_responses",
    ],
    # The schema and its docs describe every endpoint: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Choice sets used by several serializers get one stable name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "BookedViaEnum": "providers.models.WorkOrder.BookedVia",
        "DifficultyCategoryEnum": "eldercare.models.DifficultyCategory",
        "CareLevelEnum": "subsidies.standards.models.CareLevel",
        "RevealReasonEnum": "eldercare.models.REVEAL_REASONS_OFFERED",
        "ApplicationStatusEnum": "subsidies.applications.models.ApplicationStatus",
        "IntakeBatchStatusEnum": "subsidies.applications.models.IntakeBatch.Status",
        "ObjectionStatusEnum": "subsidies.applications.models.Objection.Status",
        "WorkOrderStatusEnum": "providers.models.WorkOrder.Status",
        "ProviderStatusEnum": "providers.models.Provider.Status",
        "AccountStatusEnum": "vouchers.models.Account.Status",
        "LifeStatusEnum": "eldercare.models.LifeStatus",
        "ProviderKindEnum": "providers.models.Provider.Kind",
        "CertificateKindEnum": "providers.models.CertificateKind",
        "ServiceKindEnum": "providers.models.ServiceKind",
        "CallResultEnum": "outreach.calls.models.CallResult",
        "OrderStatusEnum": "outreach.purchases.models.OrderStatus",
        "PaymentMethodEnum": "outreach.purchases.models.PaymentMethod",
        "RunKindEnum": "outreach.purchases.models.RunKind",
        "ProblemStatusEnum": "outreach.inspections.models.ProblemStatus",
        "ContactMethodEnum": "outreach.models.ContactMethod",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
PHONENUMBER_DEFAULT_REGION = "CN"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
# Wrong passwords lock the account from that address only: behind the load balancer every user
# shares its address, so an address alone would lock everybody out (the client's address is read
# from X-Forwarded-For, set by the proxy, in production settings).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "eldercare.views.locked_out"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="eldercare@localhost")
# Text messages: the default writes them to the log; production names a provider's backend.
SMS_BACKEND = env("SMS_BACKEND", default="eldercare.sms.ConsoleBackend")
# eldercare.sms.TencentCloudBackend: the account's keys, the SMS application, the approved
# signature and a notification template whose one parameter carries the text.
TENCENTCLOUD_SECRET_ID = env("TENCENTCLOUD_SECRET_ID", default="")
TENCENTCLOUD_SECRET_KEY = env("TENCENTCLOUD_SECRET_KEY", default="")
SMS_SDK_APP_ID = env("SMS_SDK_APP_ID", default="")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="")
SMS_TEMPLATE_ID = env("SMS_TEMPLATE_ID", default="")
SMS_REGION = env("SMS_REGION", default="ap-guangzhou")

# A caregiver sees the elders of the work orders assigned to them, scheduled within this many days
# before today or later (the provider admin sees every elder of the provider's agreements).
CAREGIVER_ELDER_DAYS = 90

# Shown on caregiver badges and notices.
SUPERVISION_HOTLINE = env("SUPERVISION_HOTLINE", default="12345")
# Hours a community has to act on an outreach escalation (a health problem, or a household
# unreachable twice in a row) before it shows as overdue.
OUTREACH_ESCALATION_HOURS = 24
# The daily outreach report is due from every unit by this time (Asia/Shanghai, HH:MM); units
# that have not reported are reminded half an hour before.
OUTREACH_REPORT_CUTOFF = env("OUTREACH_REPORT_CUTOFF", default="16:00")
# Daily check-in: the deadline of a new enrolment (HH:MM, Asia/Shanghai), and the secret the SMS
# provider sends in the X-Checkin-Secret header with each reply (empty: replies refused).
OUTREACH_CHECKIN_DEADLINE = env("OUTREACH_CHECKIN_DEADLINE", default="10:00")
OUTREACH_CHECKIN_SMS_SECRET = env("OUTREACH_CHECKIN_SMS_SECRET", default="")

# A spreadsheet import (elders, screenings) is refused above this size or this many data rows,
# before it is parsed further: a huge file must not hold a web worker for minutes.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
# An uploaded scan, piece of evidence or photo is refused above this size (eldercare.uploads).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

PLATFORM_NAME = _("Home-care subsidy and service voucher platform")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
