"""Fugong settings. Every knob is an environment variable with a safe default (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fugong.env import env_bool, env_choice, env_int, env_list, env_str, persistent_secret

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("FUGONG_VAR_DIR", str(BASE_DIR / "var")))

FUGONG_ENV = env_choice("FUGONG_ENV", "development", {"development", "production"})
PRODUCTION = FUGONG_ENV == "production"
DEBUG = env_bool("FUGONG_DEBUG", False)

SECRET_KEY = env_str("FUGONG_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("FUGONG_SECRET_KEY must be set when FUGONG_ENV=production")
    SECRET_KEY = persistent_secret(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("FUGONG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("FUGONG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "fugong.core",
    "fugong.enterprises",
    "fugong.resumption",
    "fugong.services",
    "fugong.factors",
    "fugong.policies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fugong.urls"
WSGI_APPLICATION = "fugong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fugong.core.context_processors.navigation",
            ],
        },
    },
]

# Database: a SQLite file under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fugong.sqlite3'}"),
        conn_max_age=env_int("FUGONG_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the task worker read while the other writes;
        # IMMEDIATE transactions take the write lock up front instead of failing mid-transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username before checking it
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for a username lock it for 15 minutes (whatever the address they come from).
AXES_FAILURE_LIMIT = env_int("FUGONG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("FUGONG_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Street offices reach the platform through one NAT address each: locking by address would lock a
# whole office out because of one person's typos, so usernames are locked instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "复工通"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "fugong.core.validators.MinimumLengthPasswordValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fugong.core.validators.MixedCharactersPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("FUGONG_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"  # uploads live outside the static root and are served by views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

FUGONG_UPLOAD_MAX_BYTES = env_int("FUGONG_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FUGONG_ATTACHMENT_MAX_BYTES = env_int("FUGONG_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
FUGONG_ATTACHMENTS_PER_STEP = 5
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fugong.core.api_keys.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["fugong.core.permissions.IsAuthenticatedWithinKeyScope"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "fugong.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fugong.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "复工通 Fugong API",
    "DESCRIPTION": "复工复产服务平台接口。时间均为 ISO 8601，带 +08:00 时区。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["fugong.core.permissions.IsAuthenticatedWithinKeyScope"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EnterpriseStatusEnum": "fugong.enterprises.models.Enterprise.Status",
        "ProjectStatusEnum": "fugong.enterprises.models.ConstructionProject.Status",
        "EnterpriseCategoryEnum": "fugong.enterprises.models.Enterprise.Category",
        "LiaisonKindEnum": "fugong.enterprises.models.LiaisonAssignment.Kind",
        "VisitKindEnum": "fugong.enterprises.models.Visit.Kind",
        "ReportStatusEnum": "fugong.resumption.models.Status",
        "RoleEnum": "fugong.core.models.User.Role",
        "DifficultyCategoryEnum": "fugong.resumption.models.Difficulty",
        "RequestStatusEnum": "fugong.services.models.ServiceRequest.Status",
        "RequestChannelEnum": "fugong.services.models.Channel",
        "HandlingRoleEnum": "fugong.services.models.Assignment.Role",
        "HandlingStatusEnum": "fugong.services.models.Assignment.Status",
        "HandlingStageEnum": "fugong.services.models.Stage",
        "ExtensionStageEnum": "fugong.services.api.EXTENSION_STAGES",
        "ExtensionStatusEnum": "fugong.services.models.Extension.Status",
        "JobOpeningStatusEnum": "fugong.factors.models.JobOpening.Status",
        "JobApplicationStatusEnum": "fugong.factors.models.JobApplication.Status",
        "HealthStatusEnum": "fugong.factors.models.HealthStatus",
        "VehicleStatusEnum": "fugong.factors.models.Vehicle.Status",
        "PlanningRunStatusEnum": "fugong.factors.models.PlanningRun.Status",
        "PlanningTriggerEnum": "fugong.factors.models.PlanningRun.Trigger",
        "UnplannedReasonEnum": "fugong.factors.models.UnplannedWorker.Reason",
        "ShuttleTripStatusEnum": "fugong.factors.models.ShuttleTrip.Status",
        "TripStopKindEnum": "fugong.factors.models.TripStop.Kind",
        "LoanStatusEnum": "fugong.factors.models.LoanApplication.Status",
        "PolicyStatusEnum": "fugong.policies.models.Policy.Status",
        "PolicyLevelEnum": "fugong.policies.models.Level",
        "PolicyKindEnum": "fugong.policies.models.Kind",
        "PolicyModeEnum": "fugong.policies.models.Mode",
        "BenefitKindEnum": "fugong.policies.models.BenefitKind",
        "PolicyApplicationStatusEnum": "fugong.policies.models.Application.Status",
        "PayoutBatchStatusEnum": "fugong.policies.models.PayoutBatch.Status",
        "ObjectionStatusEnum": "fugong.policies.models.Objection.Status",
    },
}

TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[env_choice("FUGONG_TASKS_BACKEND", "database", {"database", "immediate"})],
    }
}
# `fugong scheduler` (started by `fugong run`) enqueues these every FUGONG_SCHEDULER_SECONDS.
FUGONG_PERIODIC_TASKS = [
    "fugong.services.tasks.check_deadlines",
    "fugong.policies.tasks.nightly_matching",  # works once a night, a no-op otherwise
]
FUGONG_SCHEDULER_SECONDS = env_int("FUGONG_SCHEDULER_SECONDS", 300)
# The hour (Beijing time) from which the nightly policy matching runs, once a day.
FUGONG_POLICY_MATCH_HOUR = env_int("FUGONG_POLICY_MATCH_HOUR", 1)

# Text messages and e-mail go through a pluggable backend; the default writes to var/outbox.
FUGONG_NOTIFICATION_BACKEND = env_str(
    "FUGONG_NOTIFICATION_BACKEND", "fugong.core.notifications.FileBackend"
)
FUGONG_OUTBOX_DIR = VAR_DIR / "outbox"
FUGONG_DISTRICT_CODE = "410103"

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "outbox" / "email"

# No inline scripts or styles anywhere: every script and stylesheet is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("FUGONG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = env_bool("FUGONG_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("FUGONG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
