"""Bridgework settings: one file, every value from the environment, safe local defaults.

Every setting is listed in the README. A bad value stops start-up with one clear sentence.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from bridgework.lib import keyfiles

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()] or default


# pytest sets PYTEST_VERSION before pytest-django configures Django, so a bare `pytest`
# gets the test environment (and a throwaway data directory) without extra set-up.
ENVIRONMENT = os.environ.get("BRIDGEWORK_ENV") or (
    "test" if "PYTEST_VERSION" in os.environ else "local"
)
if ENVIRONMENT not in {"local", "production", "test"}:
    raise ImproperlyConfigured(
        f"BRIDGEWORK_ENV must be local, production or test, not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

if os.environ.get("BRIDGEWORK_DATA_DIR"):
    DATA_DIR = Path(os.environ["BRIDGEWORK_DATA_DIR"]).resolve()
elif ENVIRONMENT == "test":
    DATA_DIR = Path(tempfile.mkdtemp(prefix="bridgework-test-"))
else:
    DATA_DIR = Path("var").resolve()
# A missing data directory is fine on a first start and alarming when a mount is missing:
# `bridgework` says loudly that it created one, and production creates one only when asked
# (`--init`, which sets BRIDGEWORK_INIT).
DATA_DIR_CREATED = not DATA_DIR.exists() and not DATA_DIR.is_symlink()
if DATA_DIR_CREATED and PRODUCTION and not env_bool("BRIDGEWORK_INIT", False):
    raise ImproperlyConfigured(
        f"The data directory {DATA_DIR} does not exist; in production Bridgework creates one "
        "only when started with --init (is a volume not mounted?)."
    )
MASTER_KEY_CREATED = not (DATA_DIR / keyfiles.MASTER_KEYS_FILE).exists()
try:
    keyfiles.ensure_data_dir(DATA_DIR)
    if os.environ.get("SECRET_KEY_FILE"):
        secret_key_file = Path(os.environ["SECRET_KEY_FILE"])
        try:
            SECRET_KEY = secret_key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise keyfiles.KeyFileError(
                f"SECRET_KEY_FILE names {secret_key_file}, which cannot be read "
                f"({keyfiles.os_reason(error)})."
            ) from None
        if not SECRET_KEY:
            raise keyfiles.KeyFileError(f"SECRET_KEY_FILE names {secret_key_file}, which is empty.")
    else:
        SECRET_KEY = os.environ.get("SECRET_KEY") or keyfiles.load_or_create_secret_key(DATA_DIR)
    FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(DATA_DIR)
except keyfiles.KeyFileError as error:
    raise ImproperlyConfigured(str(error)) from None

DEBUG = env_bool("BRIDGEWORK_DEBUG", False)
ALLOWED_HOSTS = env_list(
    "BRIDGEWORK_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("BRIDGEWORK_ALLOWED_HOSTS must name the host(s) in production.")
CSRF_TRUSTED_ORIGINS = env_list("BRIDGEWORK_CSRF_TRUSTED_ORIGINS", [])


def base_url(environ: Mapping[str, str]) -> str:
    """The address links in e-mails and calendar invites start with.

    BRIDGEWORK_BASE_URL when set; otherwise the address `bridgework serve` listens on (it
    passes its --host and --port to the web server and the worker as BRIDGEWORK_HOST and
    BRIDGEWORK_PORT). A wildcard address names no host anyone can open, so it becomes
    127.0.0.1.
    """
    if environ.get("BRIDGEWORK_BASE_URL"):
        return environ["BRIDGEWORK_BASE_URL"].rstrip("/")
    host = environ.get("BRIDGEWORK_HOST") or "127.0.0.1"
    port = environ.get("BRIDGEWORK_PORT") or "8000"
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104  (compared with, not bound to)
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


BASE_URL = base_url(os.environ)

INSTALLED_APPS = [
    "bridgework.accounts",
    "bridgework.curriculum",
    "bridgework.practice",
    "bridgework.reflection",
    "bridgework.cohorts",
    "bridgework.notifications",
    "bridgework.community",
    "bridgework.resources",
    "bridgework.asks",
    "bridgework.insights",
    "bridgework.front",
    "bridgework.jobs",
    "bridgework.operations",
    "bridgework.security",
    "bridgework.provisioning",
    "bridgework.sso",
    "bridgework.chat",
    "bridgework.slack",
    "bridgework.teams",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "axes",
]

MIDDLEWARE = [
    # First: a health probe needs none of the others.
    "bridgework.operations.middleware.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bridgework.accounts.middleware.PrivatePagesMiddleware",
    "bridgework.accounts.middleware.PersonLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "bridgework.security.middleware.MFAEnrolmentMiddleware",
    # Axes goes last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bridgework.urls"
WSGI_APPLICATION = "bridgework.wsgi.application"
ASGI_APPLICATION = "bridgework.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bridgework.front.context_processors.navigation",
                "bridgework.front.context_processors.form_token",
            ],
            # `{% load i18n %}` gives Django's tags, a fixed `{% translate %}` remembered per
            # language (front/templatetags/remembered_i18n.py).
            "libraries": {"i18n": "bridgework.front.templatetags.remembered_i18n"},
        },
    },
]

# Form widgets (a select's every <option>, a radio's every button) are small templates rendered
# once per choice; Jinja2 renders Django's own widget markup several times faster than the
# Django engine (a 600-zone select: 232,000 Python calls -> 69,000).
FORM_RENDERER = "django.forms.renderers.Jinja2"

# How long a web process keeps its database connection, in seconds (0: one per request).
# SQLite keeps it longer: opening the file and running its PRAGMAs is the costly part.
SQLITE_CONN_MAX_AGE = env_int("BRIDGEWORK_CONN_MAX_AGE", 600)
POSTGRES_CONN_MAX_AGE = env_int("BRIDGEWORK_CONN_MAX_AGE", 60)

SQLITE_BUSY_SECONDS = env_int("BRIDGEWORK_SQLITE_BUSY_SECONDS", 20)
if SQLITE_BUSY_SECONDS < 1:
    raise ImproperlyConfigured("BRIDGEWORK_SQLITE_BUSY_SECONDS must be at least 1.")


def database_settings() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "bridgework.sqlite3",
            # Opening SQLite and running the PRAGMAs below cost a few milliseconds, on every
            # request when connections are not kept (bench/PAGES.md). A restore copies into
            # the same file through SQLite's backup API, so a kept connection sees it.
            "CONN_MAX_AGE": SQLITE_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock
                # at the start of a transaction so two writers queue instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                # How long a writer waits for the lock before "database is locked". Long
                # enough to wait out a big write (`demo --reset`), short of gunicorn's 30 s;
                # a request that still gets the error answers 503 and the worker retries.
                "timeout": SQLITE_BUSY_SECONDS,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=POSTGRES_CONN_MAX_AGE)
        )
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database address Bridgework understands ({error})."
        ) from None
    if config.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured(
            "DATABASE_URL must start with postgresql:// (or sqlite:///path for tests)."
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. .../bridgework.")
    config["CONN_HEALTH_CHECKS"] = True
    # When the database host is unreachable a request should fail fast (and answer 503),
    # not hold a web worker until gunicorn's timeout kills it.
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return config


DATABASES = {"default": database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "bridgework.sso.backends.SsoOnlyPasswordGate",
    "bridgework.accounts.backends.PersonBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# Sign-in by e-mail and password; people join by invitation, not open sign-up.
ACCOUNT_ADAPTER = "bridgework.accounts.adapters.InvitationOnlyAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# One address each, the one on the person (from the invitation, or SCIM). A second
# one, added at allauth's e-mail page, would sign in too, past "only through the identity
# provider" and unseen by anyone else.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_EMAIL_VERIFICATION = os.environ.get(
    "BRIDGEWORK_EMAIL_VERIFICATION", "mandatory" if PRODUCTION else "none"
)
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured("BRIDGEWORK_EMAIL_VERIFICATION must be mandatory, optional or none.")
ACCOUNT_SESSION_REMEMBER = None
# Organisations' identity providers (bridgework/sso): apps come from our own table, the
# provider has already verified the address, and no token is kept after sign-in.
SOCIALACCOUNT_ADAPTER = "bridgework.sso.adapter.OrganisationSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_AUTO_SIGNUP = False
# The server fetches the addresses an admin gives for the identity provider: only public
# ones (an IdP on the server's own network needs this on), and only https in production.
SSO_ALLOW_PRIVATE_ADDRESSES = env_bool("BRIDGEWORK_SSO_ALLOW_PRIVATE_ADDRESSES", False)
SSO_REQUIRE_HTTPS = PRODUCTION
ACCOUNT_FORMS = {
    "login": "bridgework.sso.forms.LoginForm",
    "reset_password": "bridgework.sso.forms.ResetPasswordForm",
}
SOCIALACCOUNT_PROVIDERS = {
    "saml": {"provider_class": "bridgework.sso.saml.OrganisationSAMLProvider"}
}
ACCOUNT_PREVENT_ENUMERATION = True

# Login throttling: five failures lock that account from that address for 15 minutes.
AXES_FAILURE_LIMIT = env_int("BRIDGEWORK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# allauth passes the address as `email`, so without this every failure counted for "None".
AXES_USERNAME_CALLABLE = "bridgework.accounts.adapters.login_attempt_username"
AXES_LOCKOUT_TEMPLATE = "errors/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("BRIDGEWORK_PROXY_COUNT", 0) or None
AXES_ENABLED = env_bool("BRIDGEWORK_LOGIN_THROTTLING", True)
# Axes is the one failed-login throttle. allauth's own (per process, per IP and per e-mail)
# would answer first with a bare form error instead of the locked-out page. Axes never sees a
# wrong second-factor code: those get a rate of their own (bridgework/security/forms.py),
# five per person in five minutes in each server process.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "mfa_code": "5/300s/key"}

# A second factor (allauth.mfa): an authenticator app, security keys and passkeys, and
# recovery codes. Who must use one is each organisation's choice (bridgework/security).
MFA_ADAPTER = "bridgework.security.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Bridgework"
# Security-key answers go through a field that calls an unreadable one bad input, never a 500.
MFA_FORMS = {
    # An app code is spent in the database, whatever process takes it (security/forms.py).
    "authenticate": "bridgework.security.forms.AuthenticateForm",
    "reauthenticate": "bridgework.security.forms.ReauthenticateForm",
    "add_webauthn": "bridgework.security.forms.AddKeyForm",
    "authenticate_webauthn": "bridgework.security.forms.AuthenticateKeyForm",
    "login_webauthn": "bridgework.security.forms.LoginKeyForm",
    "reauthenticate_webauthn": "bridgework.security.forms.ReauthenticateKeyForm",
}
# Browsers allow WebAuthn on http://localhost; production is served over HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION

TASKS = {
    "default": {
        # Tests run tasks at once, in the request; everywhere else a worker picks them up.
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if ENVIRONMENT == "test"
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "reminders", "insights"],
    }
}

# E-mail through Django 6.1's MAILERS. Without EMAIL_HOST, mail is printed to the console,
# except in production: there a printed invitation or reset link would sit in the logs, so
# production always uses SMTP (a local relay on localhost unless EMAIL_HOST names one).
if os.environ.get("EMAIL_HOST") or PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST") or "localhost",
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("BRIDGEWORK_FROM_EMAIL", "Bridgework <bridgework@localhost>")

LANGUAGE_CODE = "en"
# Each language named in its own words: that is how people find theirs in a list.
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Pseudo-locales reveal text that skipped the catalogs (every catalog word accented and
# bracketed; ar-xb also lays pages out right to left): offered in tests, and wherever
# BRIDGEWORK_PSEUDO_LOCALES is set. Built by `make install` (bridgework/front/catalogs.py).
if ENVIRONMENT == "test" or env_bool("BRIDGEWORK_PSEUDO_LOCALES", False):
    LANGUAGES += [("en-xa", "[Ëñĝļîšĥ]"), ("ar-xb", "[Ŕîĝĥţ ţö ļëƒţ]")]
TIME_ZONE = os.environ.get("BRIDGEWORK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError as error:
    raise ImproperlyConfigured(
        f"Cannot create {STATIC_ROOT} for static files ({keyfiles.os_reason(error)})."
    ) from None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "bridgework.lib.static_files.ManifestStaticFiles"
        if not DEBUG and ENVIRONMENT != "test"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = ENVIRONMENT == "test" or DEBUG

# Content Security Policy (Django's built-in middleware): no inline scripts, nonce only.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'", CSP.NONCE],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_ENGINE = "bridgework.accounts.sessions"
# Every call of a prepared query (bridgework/lib/prepared.py) also builds its query set and
# compares the SQL: the tests check each prepared query against the ORM.
PREPARED_QUERIES_CHECK = ENVIRONMENT == "test"
# The `i18n` template library is replaced on purpose (TEMPLATES above), which this check warns of.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("BRIDGEWORK_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("BRIDGEWORK_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BRIDGEWORK_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("BRIDGEWORK_HSTS_PRELOAD", False)
    # Preloading HSTS commits a whole domain for years; that is the operator's decision.
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "one_line_client_errors": {"()": "bridgework.operations.request_log.OneLineClientErrors"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BRIDGEWORK_LOG_LEVEL", "INFO")},
    # Request bodies never reach the logs; Django's request logger only logs paths and status.
    "loggers": {
        "axes": {"level": "WARNING"},
        # A refused request (403, 404, 400) is one line: status, method and path, no traceback.
        "django.request": {"filters": ["one_line_client_errors"]},
        # A CSRF refusal names the path too, and may be on an invitation's link: blanked the
        # same way. (A logger's filters are not inherited: each logger is named.)
        "django.security.csrf": {"filters": ["one_line_client_errors"]},
        # At DEBUG these two write template contexts and query parameters to the log, which
        # could carry someone's decrypted private text. Never below INFO, whatever the root.
        "django.template": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # slack-sdk writes every request's body (a message's text) at DEBUG.
        "slack_sdk": {"level": "INFO"},
    },
}

# Bridgework's own settings.
# Called with each new organisation (createorg, the demo). Accounts knows nothing of the
# other apps, so they register what a new organisation needs here.
NEW_ORGANISATION_HOOKS = ["bridgework.curriculum.services.import_shipped_content"]
# Called with the demo organisation once its people exist, to add each app's sample data.
DEMO_HOOKS: list[str] = [
    "bridgework.community.demo.create",
    "bridgework.resources.demo.create",
    "bridgework.asks.demo.create",
    "bridgework.insights.demo.create",
    "bridgework.community.demo.create_closed_poll",  # its voters are the insights' samples
    "bridgework.security.demo.create",
]
# Makes an in-app notification: person, kind, summary and url, by keyword. Named here so that
# accounts can tell someone something without importing the notifications app built on it.
IN_APP_NOTIFIER = "bridgework.notifications.api.notify"
# Marks in-app notifications read once what they ask for is done: kind, at, and optionally
# person, people, space_id and url, by keyword. Named here for the same reason.
IN_APP_SETTLER = "bridgework.notifications.api.mark_read"
# (task path, every N seconds): each queued once per slot of N seconds since the epoch,
# however many workers run (bridgework/jobs/schedule.py); all are safe to run twice.
PERIODIC_TASKS = [
    # The program admin's totals (accounts/people_count.py).
    ("bridgework.accounts.tasks.count_people_everywhere", 60),
    ("bridgework.practice.tasks.plan_reminders", 60),
    ("bridgework.cohorts.tasks.plan_session_reminders", 300),
    # Chat reminders that waited out a rate limit, or whose worker died mid-send.
    ("bridgework.chat.tasks.send_due_chat_deliveries", 30),
    ("bridgework.notifications.tasks.send_digests", 3600),
    ("bridgework.community.tasks.announce_closed_polls", 300),
    ("bridgework.insights.tasks.release_insights", 3600),
    # Run by whichever worker picks it up, so /healthz knows a worker is taking tasks.
    ("bridgework.operations.tasks.worker_heartbeat", 60),
]
# A running task and a leased e-mail belong to their worker while its heartbeat is younger
# than this; after that they are picked up again. Also how long a killed worker's work waits.
TASK_LEASE_SECONDS = env_int("BRIDGEWORK_TASK_LEASE_SECONDS", 60)

# Slack. An organisation can paste its own app's bot token and signing secret (settings ->
# Slack); "Add to Slack" appears when the operator has made one app from slack/manifest.yml
# and set its client id, client secret and signing secret here. The API addresses change
# only in tests, which point them at a loopback Slack.
SLACK_CLIENT_ID = os.environ.get("BRIDGEWORK_SLACK_CLIENT_ID", "")
SLACK_CLIENT_SECRET = os.environ.get("BRIDGEWORK_SLACK_CLIENT_SECRET", "")
SLACK_SIGNING_SECRET = os.environ.get("BRIDGEWORK_SLACK_SIGNING_SECRET", "")
SLACK_API_URL = os.environ.get("BRIDGEWORK_SLACK_API_URL", "https://slack.com/api/")
SLACK_AUTHORIZE_URL = os.environ.get(
    "BRIDGEWORK_SLACK_AUTHORIZE_URL", "https://slack.com/oauth/v2/authorize"
)
# Slack's response_url for a button press: followed only when it starts with this.
SLACK_RESPONSE_URL_PREFIX = os.environ.get(
    "BRIDGEWORK_SLACK_RESPONSE_URL_PREFIX", "https://hooks.slack.com/"
)
DEMO_PASSWORD = os.environ.get("BRIDGEWORK_DEMO_PASSWORD", "")
INVITATION_DAYS = env_int("BRIDGEWORK_INVITATION_DAYS", 14)
# Insights: the smallest group a number may describe (never below 3; checked at start-up).
INSIGHTS_MIN_CELL = env_int("BRIDGEWORK_INSIGHTS_MIN_CELL", 5)
# Operations: /healthz answers 503 below this much free space in the data directory, and (in
# production, where a worker must be running) when no worker has run a task for 5 minutes.
HEALTH_MIN_FREE_DISK_MB = env_int("BRIDGEWORK_MIN_FREE_DISK_MB", 200)
HEALTH_REQUIRE_WORKER = env_bool("BRIDGEWORK_HEALTH_REQUIRE_WORKER", PRODUCTION)
HEALTH_WORKER_SILENT_SECONDS = 300
# The Retry-After a 503 gives while the database is away.
DATABASE_RETRY_AFTER_SECONDS = 30
# Insights: the privacy budget per organisation and calendar month (zCDP rho): the default,
# and the floor and ceiling a program admin may choose within (checked at start-up).
INSIGHTS_RHO_DEFAULT = os.environ.get("BRIDGEWORK_INSIGHTS_RHO_DEFAULT", "0.5")
INSIGHTS_RHO_FLOOR = os.environ.get("BRIDGEWORK_INSIGHTS_RHO_FLOOR", "0.05")
INSIGHTS_RHO_CEILING = os.environ.get("BRIDGEWORK_INSIGHTS_RHO_CEILING", "2")
# Microsoft Teams: where the Bot Framework publishes the keys that sign incoming activities,
# and where a bot gets its token for sending ({tenant} is the bot's tenant ID). Tests point
# both at loopback servers.
TEAMS_OPENID_METADATA_URL = os.environ.get(
    "BRIDGEWORK_TEAMS_OPENID_METADATA_URL",
    "https://login.botframework.com/v1/.well-known/openidconfiguration",
)
TEAMS_TOKEN_URL = os.environ.get(
    "BRIDGEWORK_TEAMS_TOKEN_URL",
    "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
)
# The only hosts an activity's service URL may name: the bot's token is sent there. Microsoft's
# public cloud by default; a government cloud adds its own (smba.infra.gov.teams.microsoft.us).
# "*.example.com" covers every sub-domain. Tests name the loopback Bot Connector's host.
TEAMS_SERVICE_HOSTS = env_list(
    "BRIDGEWORK_TEAMS_SERVICE_HOSTS", ["smba.trafficmanager.net", "*.botframework.com"]
)
if any(not re.fullmatch(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+", h) for h in TEAMS_SERVICE_HOSTS):
    raise ImproperlyConfigured(
        "BRIDGEWORK_TEAMS_SERVICE_HOSTS holds host names such as smba.trafficmanager.net or "
        f"*.botframework.com, not {TEAMS_SERVICE_HOSTS!r}."
    )
# Test-only (start-up refuses it elsewhere): releases without noise.
INSIGHTS_NOISELESS = False
