"""Configuration classes. Every value comes from the environment; nothing secret lives here."""

import os
import secrets
from collections.abc import MutableMapping
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from mentoring import paths

# The checkout's top, or mentoring/_bundle/ inside an installed wheel (templates, translations, ...).
BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = paths.instance()

LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1"})


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # Old keys, newest first, that still verify while SECRET_KEY rotates (mentoring/keys.py).
    SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'mentoring.sqlite'}"
    )
    # hide_parameters: a database error in the log never shows the values (names, phone numbers).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True, "hide_parameters": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")

    # Branding: each municipality runs the same code with its own names and districts.
    MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Oberhausen")
    PROGRAMME_NAME = os.environ.get("PROGRAMME_NAME", "Jedes Kind ist wertvoll")
    # The municipality's social districts and consultation topics (JSON), loaded by seed-demo.
    MUNICIPALITY_DATA_FILE = os.environ.get(
        "MUNICIPALITY_DATA_FILE",
        str(paths.PACKAGE / "reference" / "data" / "oberhausen.json"),
    )
    IMPRINT_ADDRESS = os.environ.get(
        "IMPRINT_ADDRESS", "Stadt Oberhausen, Schwartzstraße 72, 46045 Oberhausen"
    )

    # Languages: German is the default; LANGUAGES lists the shipped ones in switcher order.
    DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "de")
    LANGUAGES = env_list("LANGUAGES", "de,en,tr,ar,uk,ru,pl,ro,bg,fa,ku,sq")
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Berlin")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGE_COOKIE = "lang"

    # Mail and SMS go through the outbox; these pick how `flask outbox send` delivers.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")  # file | smtp
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "outbox-files"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    # starttls (port 587) | tls (implicit TLS, port 465) | none (plain text: refused in production
    # unless MAIL_ALLOW_PLAINTEXT=1). The server's certificate is always verified, against the
    # system's CAs or MAIL_CA_FILE (a PEM file, for a relay with a private CA).
    MAIL_SECURITY = os.environ.get("MAIL_SECURITY", "starttls")
    MAIL_PORT = env_int("MAIL_PORT", {"tls": 465, "none": 25}.get(MAIL_SECURITY, 587))
    MAIL_CA_FILE = os.environ.get("MAIL_CA_FILE", "")
    MAIL_ALLOW_PLAINTEXT = env_bool("MAIL_ALLOW_PLAINTEXT", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Elternberatung <no-reply@example.org>")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)

    # Links in messages must be absolute; behind a proxy this is the public address.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    VIDEO_BASE_URL = os.environ.get("VIDEO_BASE_URL", "https://meet.example.org/")

    # Accounts
    INVITATION_DAYS = env_int("INVITATION_DAYS", 14)
    RESET_LINK_HOURS = env_int("RESET_LINK_HOURS", 2)
    COORDINATOR_RESET_LINK_HOURS = env_int("COORDINATOR_RESET_LINK_HOURS", 72)
    # A registration answers no sooner than this (seconds), whether the username was free or taken:
    # above the slower path (hashing the password, creating the account), so the time says nothing.
    REGISTER_ANSWER_SECONDS = float(os.environ.get("REGISTER_ANSWER_SECONDS", "0.5"))

    # Sessions (server-side, accounts.sessions): a login lasts at most SESSION_ABSOLUTE_HOURS, and
    # ends after so many minutes without a request. Staff see many families' data: 30 minutes
    # (ASVS 3.3.2). Parents and mentor parents read and write in the gaps of a day with children,
    # so 30 minutes would log them out in the middle of a form; 120 minutes keeps that rare, while a
    # phone left lying about still locks within the afternoon (and the 12 hours hold for everyone).
    # The absolute and the staff limits can be set shorter, never longer.
    SESSION_ABSOLUTE_HOURS = min(env_int("SESSION_ABSOLUTE_HOURS", 12), 12)
    SESSION_IDLE_MINUTES_STAFF = min(env_int("SESSION_IDLE_MINUTES_STAFF", 30), 30)
    SESSION_IDLE_MINUTES_FAMILY = env_int("SESSION_IDLE_MINUTES_FAMILY", 120)
    # The signed cookie itself is refused after this long without a change, as a second line.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_ABSOLUTE_HOURS)

    # Consultation hours
    MAX_FUTURE_BOOKINGS_PER_CONTACT = env_int("MAX_FUTURE_BOOKINGS_PER_CONTACT", 3)
    REMINDER_HOURS = env_int("REMINDER_HOURS", 24)
    PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-11")
    BOOKING_RATE_LIMIT = os.environ.get("BOOKING_RATE_LIMIT", "20 per hour")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
    CORS_ORIGINS = env_list("CORS_ORIGINS", "")

    # Waitlist: how long a freed seat is held for the next waiting parent.
    WAITLIST_HOLD_HOURS = env_int("WAITLIST_HOLD_HOURS", 2)
    # A booking's manage link (cancel, move, calendar file, data) stops opening this long after the
    # appointment's end, and at once when the booking is anonymised.
    MANAGE_LINK_DAYS = env_int("MANAGE_LINK_DAYS", 30)
    # Discreet bookings: a sender name that says nothing about the programme.
    DISCREET_SENDER = os.environ.get("DISCREET_SENDER", "Termin <no-reply@example.org>")
    # Quick exit: a neutral page the button leaves for at once.
    QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.wetter.com/")

    # Mentoring: days a mentor parent has to answer a request before it expires
    MENTOR_ANSWER_DAYS = env_int("MENTOR_ANSWER_DAYS", 5)
    # After this many weeks the family is asked "does it fit?"; "no" lets them be matched again.
    MENTORING_TRIAL_WEEKS = env_int("MENTORING_TRIAL_WEEKS", 4)
    # A mentoring is planned for this many days (about six months).
    MENTORING_PLANNED_DAYS = env_int("MENTORING_PLANNED_DAYS", 182)
    # Group mentoring (Eltern-AG): at most this many families in one cohort.
    GROUP_MAX_FAMILIES = env_int("GROUP_MAX_FAMILIES", 10)
    # Coordinators are told about families unmatched for these many days, and about active
    # matches with no contact logged for these many days.
    UNMATCHED_REMINDER_DAYS = env_list("UNMATCHED_REMINDER_DAYS", "7,14,45")
    NO_CONTACT_REMINDER_DAYS = env_list("NO_CONTACT_REMINDER_DAYS", "14,28")
    # A new mentor applicant is in the coordinators' digest the next morning, and again while waiting.
    APPLICANT_REMINDER_DAYS = env_list("APPLICANT_REMINDER_DAYS", "0,7,14")
    # Coordinators are reminded this many days before a certificate of conduct turns five years old.
    CERTIFICATE_REMINDER_DAYS = env_int("CERTIFICATE_REMINDER_DAYS", 60)
    # Vetting facts are deleted this many days after a mentor stops (retired or rejected).
    VETTING_KEEP_DAYS = env_int("VETTING_KEEP_DAYS", 91)
    # Coordinators are told once when an active mentor had no exchange or supervision this long.
    MENTOR_EXCHANGE_REMINDER_DAYS = env_int("MENTOR_EXCHANGE_REMINDER_DAYS", 91)

    # Parent survey: links last this many days; one reminder after this many days.
    SURVEY_LINK_DAYS = env_int("SURVEY_LINK_DAYS", 30)
    SURVEY_REMINDER_DAYS = env_int("SURVEY_REMINDER_DAYS", 7)
    SURVEY_RATE_LIMIT = os.environ.get("SURVEY_RATE_LIMIT", "20 per hour")
    # An expert may send a parent the survey again (to the parent's own phone or e-mail).
    SURVEY_RESEND_RATE_LIMIT = os.environ.get("SURVEY_RESEND_RATE_LIMIT", "10 per hour")
    # Anonymity of the answers (never below 5): an answer waits in the pool with a context shared
    # by at least SURVEY_GROUP_SIZE open invitations; a quarter's answers are released when it is
    # over (or earlier, once SURVEY_BATCH_SIZE wait), each stored context shared by at least
    # SURVEY_GROUP_SIZE responses, merging the context fields in this order until it is. One batch
    # a quarter keeps the most detail (bench/survey_generalisation.py).
    SURVEY_GROUP_SIZE = max(env_int("SURVEY_GROUP_SIZE", 5), 5)
    SURVEY_BATCH_SIZE = max(env_int("SURVEY_BATCH_SIZE", 1000), 5)
    SURVEY_GENERALISATION = env_list("SURVEY_GENERALISATION", "age_group,district,locale,service")
    # Dashboard cells counting fewer people than this show as "<5" (never below 5).
    SUPPRESSION_THRESHOLD = max(env_int("SUPPRESSION_THRESHOLD", 5), 5)

    # Retention (days): `flask retention purge` deletes or anonymises what is older.
    BOOKING_RETENTION_DAYS = env_int("BOOKING_RETENTION_DAYS", 180)  # after the appointment
    # Sent, cancelled and failed messages keep only their metadata (channel, template, status, times)
    # and are deleted after this many days; the text went to the mail or SMS backend only.
    OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 14)
    WAITLIST_RETENTION_DAYS = env_int("WAITLIST_RETENTION_DAYS", 30)
    INVITATION_RETENTION_DAYS = env_int("INVITATION_RETENTION_DAYS", 30)
    CONTACT_NOTE_RETENTION_DAYS = env_int("CONTACT_NOTE_RETENTION_DAYS", 180)  # after a mentoring ends
    AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)

    # Rate limits (Flask-Limiter); stored in Redis when REDIS_URL is set so all instances share them.
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "mentoring")
    # Login: only failed attempts count, per client address (against spraying many usernames) and per
    # (username, address). No limit per username alone: wrong guesses must not lock the owner out.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    LOGIN_USERNAME_RATE_LIMIT = os.environ.get("LOGIN_USERNAME_RATE_LIMIT", "10 per hour")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "10 per hour")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per 15 minutes")

    # Behind a load balancer: how many proxies set X-Forwarded-For/-Proto (0 = trust none).
    # Without it, every family would share the balancer's address and its rate limit.
    TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

    # The worker (`mentoring worker`): how often the frequent jobs run, and when the daily ones do
    # (local time in TIMEZONE); how long it sleeps between looks at the schedule.
    WORKER_OUTBOX_SECONDS = env_int("WORKER_OUTBOX_SECONDS", 60)
    WORKER_HOLDS_SECONDS = env_int("WORKER_HOLDS_SECONDS", 300)
    WORKER_DAILY_AT = os.environ.get("WORKER_DAILY_AT", "mentoring=03:00,surveys=03:30,retention=04:00")
    WORKER_POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", "5"))

    # Operations: LOG_FORMAT=json writes one JSON object per line (requests, jobs, errors).
    # Prometheus metrics at /metrics need `Authorization: Bearer <METRICS_TOKEN>`; without a token
    # the path answers 404.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # text | json
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

    # Cookies and request size
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Static files carry a content hash in their URL (?v=…), so browsers may keep them a year.
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    WTF_I18N_ENABLED = False  # every message is ours and goes through our catalogs
    ALLOW_DEMO_SEED = False


def instance_secret_key() -> str:
    """The demo's own random key, made once per checkout in instance/ (never a published value).

    One key per install rather than per process: the server, the worker and `flask outbox send`
    are separate processes and must open each other's sealed links and sessions."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip()


class DevelopmentConfig(Config):
    """`make run`: the demo on SQLite with seeded data, answering only this machine."""

    DEBUG = False
    ALLOW_DEMO_SEED = True
    # Requests from other machines get 403 unless DEV_ALLOW_REMOTE=1 (the demo has known logins).
    LOOPBACK_ONLY = not env_bool("DEV_ALLOW_REMOTE", False)
    # Mail goes to files in instance/outbox-files; SMTP to a relay on this machine needs no TLS.
    MAIL_SECURITY = os.environ.get("MAIL_SECURITY", "none")

    @classmethod
    def finalise(cls, config: MutableMapping[str, Any]) -> None:
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = instance_secret_key()


class TestingConfig(Config):
    TESTING = True
    REGISTER_ANSWER_SECONDS = 0.0  # fast tests; tests/accounts/test_registration.py sets a floor
    ALLOW_DEMO_SEED = True
    SECRET_KEY = "testing"  # noqa: S105  (refused by ProductionConfig.check)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_BACKEND = "file"
    PUBLIC_BASE_URL = "http://localhost"
    SERVER_NAME = None


class ProductionConfig(Config):
    # `__Host-`: the browser keeps the cookie only if it is Secure, has Path=/ and no Domain, so no
    # other host under the city's domain and no plain-HTTP page can set or overwrite it (ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    # Remember-me is not used; if it ever is, its cookie follows the same rules.
    REMEMBER_COOKIE_NAME = "__Host-remember"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_PATH = "/"
    REMEMBER_COOKIE_DOMAIN = None
    PREFERRED_URL_SCHEME = "https"
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")

    # Production on SQLite (one small office, one process) only when said so: ALLOW_SQLITE=1.
    ALLOW_SQLITE = env_bool("ALLOW_SQLITE", False)

    @classmethod
    def finalise(cls, config: MutableMapping[str, Any]) -> None:
        """Refuse to start with a weak or published key, without a real database, or with mail or
        SMS that would carry links in clear text."""
        from mentoring.keys import key_problem

        hint = " (MENTORING_ENV is production unless it says development.)"
        for secret in [config["SECRET_KEY"], *config["SECRET_KEY_FALLBACKS"]]:
            problem = key_problem(secret)
            if problem:
                raise RuntimeError(problem + hint)
        database = config["SQLALCHEMY_DATABASE_URI"]
        if not os.environ.get("DATABASE_URL") and database == Config.SQLALCHEMY_DATABASE_URI:
            raise RuntimeError("DATABASE_URL must be set in production." + hint)
        if database.startswith("sqlite") and not config["ALLOW_SQLITE"]:
            raise RuntimeError("Production runs on PostgreSQL; ALLOW_SQLITE=1 allows SQLite." + hint)
        if config["MAIL_SECURITY"] not in {"starttls", "tls", "none"}:
            raise RuntimeError("MAIL_SECURITY must be starttls, tls or none.")
        if config["MAIL_SECURITY"] == "none" and not config["MAIL_ALLOW_PLAINTEXT"]:
            raise RuntimeError("Mail without TLS carries links in clear; MAIL_ALLOW_PLAINTEXT=1 allows it.")
        if config["SMS_GATEWAY_URL"] and not config["SMS_GATEWAY_URL"].startswith("https://"):
            raise RuntimeError("SMS_GATEWAY_URL must be https:// (it carries the gateway's token).")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
