"""Shared fixtures: the app on each database, a client, login, a live server, Chromium, SMTP.

Every test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL too. The schema is
built once per database with the migrations; every table is emptied after each test, so tests
use real commits. With MENTORING_REQUIRE_SERVICES=1 (CI) a missing service fails instead of
skipping.
"""

import http.cookiejar
import os
import re
import shutil
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from mentoring import clock, create_app
from mentoring.accounts import services as accounts
from mentoring.consultations import messages as booking_messages
from mentoring.consultations import seats
from mentoring.extensions import db
from mentoring.ratelimits import app_limiter
from tests.factories import (
    DEMO_PASSWORD,
    book_in_db,
    load_municipality,
    make_expert,
    make_slot,
    make_user,
    survey_token,
)

REQUIRE_SERVICES = os.environ.get("MENTORING_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing_service(reason: str) -> None:
    """Skip on a developer machine without the service; fail in CI, where it must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    has_postgres = bool(os.environ.get("TEST_DATABASE_URL")) or REQUIRE_SERVICES
    if metafunc.definition.get_closest_marker("postgres_only"):
        backends = ["postgresql"]  # a database server to restart, dump and restore
    elif metafunc.definition.get_closest_marker("browser"):
        # Browser journeys run once, on the production database when there is one.
        backends = ["postgresql" if has_postgres else "sqlite"]
    else:
        backends = ["sqlite", "postgresql"]
    metafunc.parametrize("backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        missing_service("TEST_DATABASE_URL is not set (PostgreSQL)")
    # A database of this run's own on the server, so two runs (CI and a developer) never meet.
    yield from private_postgres_database(url)  # type: ignore[arg-type]


def private_postgres_database(url: str) -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url)
    name = f"{server.database}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        missing_service(f"PostgreSQL at {url} is unreachable: {error}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL")


def test_config(database_url: str, tmp_path: Path, **extra: object) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": redis_url() or "memory://",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "MAIL_FILE_DIR": str(tmp_path / "outbox-files"),
        **extra,
    }


@contextmanager
def another_app_instance(database_url: str, tmp_path: Path, **extra: object) -> Iterator[Flask]:
    """A second instance of the app on the same database (as behind a load balancer)."""
    other = create_app("testing", test_config(database_url, tmp_path, **extra))
    try:
        yield other
    finally:
        with other.app_context():
            db.engine.dispose()


def reset_schema(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app("testing", test_config(database_url, tmp_path_factory.mktemp("files")))
    try:
        reset_schema(app)
    except Exception as error:  # a database that cannot be reached
        if "sqlite" in database_url:
            raise
        missing_service(f"PostgreSQL at {database_url} is unreachable: {error}")
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_all_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = [table.name for table in db.metadata.sorted_tables]
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                quoted = ", ".join(f'"{name}"' for name in tables)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                for name in reversed(tables):
                    connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture(autouse=True)
def clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        empty_all_tables(app)
        forget_rate_limits(app)
        shutil.rmtree(app.config["MAIL_FILE_DIR"], ignore_errors=True)


def forget_rate_limits(app: Flask) -> None:
    """Clear this run's counters only: another run (CI, a developer) may share the Redis server."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if not uri.startswith("redis"):
        with app.app_context():
            app_limiter(app).reset()
        return
    import redis

    client = redis.Redis.from_url(uri)
    try:
        keys = list(client.scan_iter(match=f"*{app.config['RATELIMIT_KEY_PREFIX']}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


CSRF_PATTERN = re.compile(
    r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Open a page the way a browser does and read the form's CSRF token."""
    match = CSRF_PATTERN.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def submit(client: FlaskClient, path: str, data: dict | None = None, page: str | None = None):  # type: ignore[no-untyped-def]
    """POST a form with the CSRF token a user would have got from `page` (default: `path`)."""
    return client.post(path, data={"csrf_token": csrf_token(client, page or path), **(data or {})})


def log_in(app_or_client: Flask | FlaskClient, username: str, password: str = DEMO_PASSWORD) -> FlaskClient:
    """Log an existing account in through the login form; returns the logged-in client.

    The one way tests log in over HTTP: `log_in(app, "office")` opens a new client (a second
    visitor), `log_in(client, "office")` uses that one; the `login_as` fixture also creates the
    account and logs the `client` fixture in.
    """
    client = app_or_client.test_client() if isinstance(app_or_client, Flask) else app_or_client
    response = submit(client, "/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text
    return client


def session_cookie(client: FlaskClient) -> str:
    """The session cookie's value, as someone who copies it from the browser gets it."""
    return client.get_cookie("session").value


def session_data(app: Flask, client: FlaskClient) -> dict:
    """What the signed cookie holds, as the server reads it."""
    return dict(app.session_interface.get_signing_serializer(app).loads(session_cookie(client)))


def replay(app: Flask, cookie: str, user_agent: str = "Other/1.0") -> FlaskClient:
    """A fresh browser (another User-Agent) that was handed a copy of the cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    thief.environ_base["HTTP_USER_AGENT"] = user_agent
    return thief


def session_rows(app: Flask, username: str) -> list:
    """The server-side sessions (user_sessions rows) of this account, detached for assertions."""
    from sqlalchemy import select

    from mentoring.accounts.models import UserSession

    with app.app_context():
        user_id = accounts.find_user_by_username(username).id
        rows = list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)))
        for row in rows:
            db.session.expunge(row)
        return rows


@pytest.fixture
def login_as(app: Flask, client: FlaskClient):  # type: ignore[no-untyped-def]
    """Create a user with this role and log the client in; returns the username."""

    def login(role: str, username: str | None = None, **fields: object) -> str:
        name = make_user(app, role=role, username=username, **fields)
        log_in(client, name)
        return name

    return login


@pytest.fixture
def municipality_data(app: Flask) -> None:
    """The demo municipality's districts and topics, as `flask seed-demo` loads them."""
    load_municipality(app)


class QueryCounter:
    """How many SQL statements ran inside a `count_queries()` block, and which."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        listing = "\n".join(f"  {n}. {sql[:160]}" for n, sql in enumerate(self.statements, 1))
        return f"<{self.count} statements>\n{listing}"


@pytest.fixture
def count_queries(app: Flask):  # type: ignore[no-untyped-def]
    """`with count_queries() as queries: client.get(...)`; then `queries.count` statements ran.

    Counts every statement the app sends to the database (SQLAlchemy's before_cursor_execute
    on db.engine), including the session and login lookups, so an N+1 shows as a growing count.
    """
    from sqlalchemy import event

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def record(_conn, _cursor, statement, _parameters, _context, _executemany):  # type: ignore[no-untyped-def]
            counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def browser_like_client() -> urllib.request.OpenerDirector:
    """An HTTP client for a real server (live_server, gunicorn) that keeps cookies, never follows."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def opener_csrf_token(opener: urllib.request.OpenerDirector, url: str) -> str:
    """Open a page on a real server and read the form's CSRF token."""
    with opener.open(url, timeout=30) as page:
        match = CSRF_PATTERN.search(page.read().decode())
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def log_in_over_http(
    base: str, username: str, password: str = DEMO_PASSWORD
) -> urllib.request.OpenerDirector:
    """`log_in` for a real server at `base`: a cookie-keeping client with a logged-in session."""
    opener = browser_like_client()
    token = opener_csrf_token(opener, f"{base}/login")
    form = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": password}).encode()
    try:
        opener.open(urllib.request.Request(f"{base}/login", data=form), timeout=30)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303
    return opener


def status_of(opener, request) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def race(requests) -> list[int]:  # type: ignore[no-untyped-def]
    """Send every (opener, request) at the same moment from threads; returns the status codes."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def run(opener, request):  # type: ignore[no-untyped-def]
        barrier.wait(timeout=30)
        statuses.append(status_of(opener, request)[0])

    threads = [threading.Thread(target=run, args=item) for item in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


# The municipality's wall clock at the instants where "today" or "in 24 hours" goes wrong when counted
# in UTC, on the server's clock or in wall-clock hours. Date-sensitive tests pin the clock here.
OBERHAUSEN = ZoneInfo("Europe/Berlin")
NIGHTS = {
    "00:30 in winter": datetime(2026, 12, 3, 0, 30, tzinfo=OBERHAUSEN),  # 23:30 UTC, the day before
    "23:30 in winter": datetime(2026, 12, 2, 23, 30, tzinfo=OBERHAUSEN),  # 22:30 UTC
    "00:30 in summer": datetime(2027, 7, 15, 0, 30, tzinfo=OBERHAUSEN),  # 22:30 UTC, the day before
    "23:30 in summer": datetime(2027, 7, 14, 23, 30, tzinfo=OBERHAUSEN),  # 21:30 UTC
    "00:30 on New Year's Day": datetime(2027, 1, 1, 0, 30, tzinfo=OBERHAUSEN),  # still 2026 in UTC
    "spring forward, 03:30 after 01:59": datetime(2027, 3, 28, 3, 30, tzinfo=OBERHAUSEN),  # 01:30 UTC
    "fall back, the second 02:30": datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=OBERHAUSEN),  # 01:30 UTC
}
# The instants among them at which UTC is still on the day before.
UTC_DAY_BEHIND = {
    name for name, instant in NIGHTS.items() if instant.astimezone(UTC).date() != instant.date()
}


def night_params(utc_day_bug: str = "") -> list:
    """NIGHTS as parameters for `pinned_clock`. `utc_day_bug` names a product line that still counts UTC's
    day: at the instants where UTC is a day behind, the test is expected to fail until that line is fixed
    (strict, so it reports the fix and the mark is struck out)."""
    expected_to_fail = [pytest.mark.xfail(strict=True, reason=utc_day_bug)] if utc_day_bug else []
    return [
        pytest.param(instant, id=name, marks=expected_to_fail if name in UTC_DAY_BEHIND else [])
        for name, instant in NIGHTS.items()
    ]


@pytest.fixture
def pinned_clock(request: pytest.FixtureRequest, time_machine) -> datetime:  # type: ignore[no-untyped-def]
    """The clock stands still at the instant the test is parametrized with (`indirect=True`)."""
    instant: datetime = request.param
    time_machine.move_to(instant, tick=False)
    return instant


@pytest.fixture
def today(request: pytest.FixtureRequest, app: Flask) -> date:
    """The app's 'today': the municipality's calendar day (mentoring.clock), on the pinned clock if any."""
    if "pinned_clock" in request.fixturenames:
        request.getfixturevalue("pinned_clock")
    with app.app_context():
        return clock.today()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served on 127.0.0.1 on a free port, for Chromium."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server: str):  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server, locale="de-DE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (and its key), made once per folder."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path, key_path = folder / "relay.pem", folder / "relay.key"
    if cert_path.exists():
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test relay")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # Valid for any clock a test may set (time-machine, faketime); OpenSSL checks the dates.
        .not_valid_before(datetime(2000, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2100, 1, 1, tzinfo=UTC))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class LocalSmtpServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives; can go down and up.

    security: "starttls" (the default: plain text is refused until STARTTLS), "tls" (implicit TLS,
    as on port 465) or "none"; the certificate is `make_certificate`'s."""

    def __init__(self, certificate: tuple[Path, Path] | None = None, security: str = "starttls") -> None:
        self.port = free_port()
        self.messages: list = []
        self.controller = None
        self.certificate = certificate
        self.security = security

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(envelope)
        return "250 OK"

    def start(self) -> None:
        import ssl

        from aiosmtpd.controller import Controller

        options: dict = {}
        if self.security != "none":
            assert self.certificate is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.certificate)
            if self.security == "tls":
                options = {"ssl_context": context}
            else:
                options = {"tls_context": context, "require_starttls": True}
        # A stopped controller cannot start again (its event loop is closed): make a new one.
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def relay_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


MAIL_KEYS = ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT", "MAIL_SECURITY", "MAIL_CA_FILE")


@pytest.fixture
def smtp_server(app: Flask, relay_certificate: tuple[Path, Path]) -> Iterator[LocalSmtpServer]:
    """The app's outbox delivers over SMTP, with STARTTLS and a verified certificate, to this server
    for the length of the test."""
    server = LocalSmtpServer(relay_certificate)
    server.start()
    previous = {key: app.config[key] for key in MAIL_KEYS}
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_TIMEOUT=3,
        MAIL_SECURITY="starttls",
        MAIL_CA_FILE=str(relay_certificate[0]),
    )
    yield server
    app.config.update(previous)
    server.stop()


class FakeSmsGateway:
    """A local HTTP server standing in for the SMS provider; keeps every JSON body it gets."""

    def __init__(self) -> None:
        import json
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                received.append(
                    {"auth": self.headers.get("Authorization"), **json.loads(self.rfile.read(length))}
                )
                self.send_response(202)
                self.end_headers()

            def log_message(self, *args):  # quiet test output
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sms_gateway(app: Flask) -> Iterator[FakeSmsGateway]:
    gateway = FakeSmsGateway()
    app.config.update(SMS_GATEWAY_URL=gateway.url, SMS_GATEWAY_TOKEN="test-token")
    yield gateway
    app.config.update(SMS_GATEWAY_URL="", SMS_GATEWAY_TOKEN="")
    gateway.close()


@pytest.fixture
def world(app: Flask, municipality_data: None) -> dict:
    """One of everything, so every page has something to show."""
    expert = make_expert(app, username="sabine", display_name="Sabine Kaya", email="sabine@example.org")
    phone_slot = make_slot(app, expert)
    online_slot = make_slot(app, expert, starts_in=timedelta(days=3), mode="online")
    _id, token = book_in_db(app, online_slot, name="Ayla", email="ayla@example.org", phone=None)
    for role in ("parent", "mentor", "coordinator"):
        make_user(app, role=role, username=f"the{role}")
    with app.app_context():
        user = accounts.find_user_by_username("theparent")
        reset = accounts.create_reset_token(user, 2)
        coordinator = accounts.find_user_by_username("thecoordinator")
        _invitation, invitation = accounts.create_invitation(coordinator, "Sabine Kaya", None, "de", 14)
        user_id = user.id
        db.session.commit()
    return {
        "slot": phone_slot,
        "token": token,
        "reset": reset,
        "invitation": invitation,
        "user_id": user_id,
        "booking": _id,
        "expert": expert,
        **mentoring_world(app),
        **group_world(app),
        **survey_world(app),
        **offers_world(app),
        **comments_world(app),
        **waitlist_world(app, make_slot(app, expert, starts_in=timedelta(days=5)), _id),
        "expired": expired_manage_link(app, expert),
    }


def expired_manage_link(app: Flask, expert: int) -> str:
    """The manage token of a booking whose appointment ended two months ago: its link has expired."""
    from mentoring.consultations.models import Slot

    slot_id = make_slot(app, expert, starts_in=timedelta(days=6))
    _id, token = book_in_db(app, slot_id, name="Ayla", email="ayla@example.org", phone=None)
    with app.app_context():
        slot = db.session.get(Slot, slot_id)
        slot.starts_at -= timedelta(days=66)
        slot.ends_at -= timedelta(days=66)
        db.session.commit()
    return token


def waitlist_world(app: Flask, slot_id: int, booking_id: int) -> dict:
    """A parent on the waitlist, a seat held for another, an interpreter request, a reminder link."""

    from mentoring.clock import utcnow
    from mentoring.consultations import interpreters as interpreter_rules
    from mentoring.consultations import waitlist
    from mentoring.consultations.models import Booking

    with app.app_context():
        contact = seats.Contact(name="Ioana", locale="ro", privacy_version="t", phone="+4917611112222")
        _entry, waiting = waitlist.join(contact, waitlist.Wish(None, "tr", None, 4), clock.today())
        elena = seats.Contact(name="Elena", locale="de", privacy_version="t", phone="+4917633334444")
        slot = seats.take_seat(slot_id, elena.key, None)
        _held, held_token = seats.new_booking(slot, elena, hold_until=utcnow() + timedelta(hours=2))
        booking = db.session.get(Booking, booking_id)
        interpreter_rules.request_interpreter(booking, "ar", "phone")
        answer = booking_messages.answer_url(booking, "not-coming").removeprefix("http://localhost")
        db.session.commit()
        return {"waitlist": waiting, "held": held_token, "answer": answer.split("?")[0]}


def offers_world(app: Flask) -> dict:
    """One offer in Osterfeld for toddlers, with a Bulgarian title but a German-only description."""

    from mentoring.offers.models import Cost, Offer, OfferKind

    with app.app_context():
        offer = Offer(
            titles={"de": "Krabbelgruppe", "bg": "Група за пълзене"},
            descriptions={"de": "Spielen, singen, Eltern treffen."},
            provider="Familienzentrum Osterfeld",
            kind=OfferKind.GROUP,
            age_groups=["0-1", "1-3"],
            districts=["osterfeld"],
            cost=Cost.FREE,
            languages=["de", "bg"],
            topics=["sleep"],
            valid_from=clock.today(),
            search_text="krabbelgruppe",
        )
        db.session.add(offer)
        db.session.commit()
        return {"offer": offer.id}


def comments_world(app: Flask) -> dict:
    """A released comment of a sealed quarter, and a "You said, we did" entry in German and Turkish."""

    from mentoring.clock import utcnow
    from mentoring.surveys.changes import ChangeEntry, ChangeText
    from mentoring.surveys.kanon import ALL
    from mentoring.surveys.models import SurveyPeriod, SurveyResponse

    with app.app_context():
        db.session.add(SurveyPeriod(period="2026-Q3", sealed_at=utcnow()))
        comment = SurveyResponse(
            questionnaire="2026-1",
            period="2026-Q3",
            service="consultation",
            locale="tr",
            district=ALL,
            age_group=None,
            satisfaction=4,
            comment="Akşam randevusu lütfen, 0176 1234567",
        )
        db.session.add(comment)
        entry = ChangeEntry(
            done_on=clock.today(),
            texts=[
                ChangeText(locale="de", title="Abendtermine", body="Jetzt auch dienstags am Abend."),
                ChangeText(locale="tr", title="Akşam randevuları", body="Artık salı akşamları da."),
            ],
        )
        db.session.add(entry)
        db.session.commit()
        return {"change": entry.id, "comment": comment.id}


def survey_world(app: Flask) -> dict:
    """A survey link for a parent in front of an expert, and one answer already given."""

    from mentoring.surveys import services as surveys

    with app.app_context():
        recipient = surveys.Recipient("de", "ayla@example.org", None, "ost", "1-3")
        invitation = surveys.invite("booking:world", surveys.CONSULTATION, recipient)
        answered = surveys.invite("booking:answered", surveys.CONSULTATION, recipient)
        assert invitation is not None and answered is not None
        db.session.commit()
        ids = invitation.id, answered.id
    token, answered_token = (survey_token(app, n) for n in ids)
    with app.app_context():
        surveys.submit(answered_token, {"satisfaction": 4}, "")
        db.session.commit()
    return {"survey": token}


def group_world(app: Flask) -> dict:
    """thementor leads a parents' group meeting today; groupmember has a place and was invited to mentor."""

    from datetime import time

    from mentoring.mentorships import groups, vetting
    from mentoring.mentorships.models import MentorInvitation

    make_user(app, username="groupmember", email="group@example.org", display_name="Familie Yıldız")
    with app.app_context():
        mentor = vetting.mentor_profile_of(accounts.find_user_by_username("thementor"))
        plan = groups.CohortPlan(
            name="Eltern-AG Styrum",
            languages=("tr", "de"),
            district="mitte-styrum",
            starts_on=clock.today(),
            weeks=3,
            meets_at=time(0, 1),
            place="Familienzentrum Styrum",
            capacity=10,
            mentor_id=mentor.id,
        )
        cohort = groups.create_cohort(plan)
        member = accounts.find_user_by_username("groupmember")
        groups.join_cohort(member, cohort.id)
        db.session.add(MentorInvitation(parent_id=member.id))
        db.session.commit()
        return {"cohort": cohort.id, "group_meeting": groups.meetings_of(cohort)[0].id}


def mentoring_world(app: Flask) -> dict:
    """thementor mentors thementee (with a meeting time and a logged contact); a family waits."""

    from mentoring.clock import utcnow
    from mentoring.consultations import services as consultations
    from mentoring.consultations.models import ContactMode
    from mentoring.mentorships import concerns, qualification, relationship, vetting
    from mentoring.mentorships import services as mentoring
    from mentoring.mentorships.matching import Need
    from mentoring.mentorships.models import LearningKind, MentorAway, MentorStatus

    make_user(app, username="thementee", phone="0176 2222222", email="mentee@example.org")
    with app.app_context():
        mentor_user = accounts.find_user_by_username("thementor")
        profile = vetting.mentor_profile_of(mentor_user)
        profile.languages, profile.districts, profile.capacity = ["de", "tr"], ["mitte-styrum"], 3
        profile.status, profile.shares, profile.availability = MentorStatus.ACTIVE, ["phone"], ["0-evening"]
        profile.certificate_seen_on = clock.today() - timedelta(days=40)
        need = Need(languages=frozenset({"tr"}), district="mitte-styrum", age_group="1-3")
        mentee = accounts.find_user_by_username("thementee")
        match = mentoring.request_mentor(mentee, profile.id, need, mentoring.Asking(shares=("phone",)), 5)
        mentoring.accept(profile, match.id)
        entry = relationship.ContactEntry(clock.today(), "phone", 20, ["sleep"], "Gutes Gespräch")
        contact = relationship.log_contact(profile, match.id, entry)
        concern = concerns.raise_concern(profile, match.id, "Die Mutter wirkt sehr erschöpft.")
        concerns.office_answers(
            accounts.find_user_by_username("thecoordinator"), concern.id, "Rufen Sie uns an."
        )
        host = consultations.expert_profile_of(mentor_user)
        spec = consultations.SlotSpec(mode=ContactMode.PHONE, languages=["tr"], topics=[], min_notice_hours=2)
        meeting = consultations.create_slot(
            host, utcnow().replace(microsecond=0) + timedelta(days=4), 60, spec
        )
        meeting.host_mentor_id = profile.id
        away = MentorAway(
            mentor_id=profile.id,
            first_day=clock.today() + timedelta(days=30),
            last_day=clock.today() + timedelta(days=40),
        )
        db.session.add(away)
        office = accounts.find_user_by_username("thecoordinator")
        family = mentoring.Family(name="Familie Demir", locale="tr", phone="+4917677777777")
        mentoring.enter_for_family(office, family, need, "", "kita")
        group_session = qualification.publish_session(
            office,
            qualification.SessionSpec(
                LearningKind.EXCHANGE,
                "Schlaf und Zahnen",
                utcnow() + timedelta(days=6),
                120,
                "Rathaus",
                False,
                8,
            ),
            utcnow(),
        )
        qualification.book(profile, group_session.id, utcnow())
        qualification.add_entry(
            profile, office, LearningKind.TRAINING, clock.today(), "Grundkurs", clock.today()
        )
        db.session.commit()
        return {
            "match": match.id,
            "mentor_profile": profile.id,
            "meeting": meeting.id,
            "away": away.id,
            "group_session": group_session.id,
            "contact": contact.id,
            "concern": concern.id,
        }
