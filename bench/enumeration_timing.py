"""Can the answer's time tell whether an account exists? Password reset and registration, measured.

Starts the app under gunicorn (2 workers, production configuration on PostgreSQL, a random
SECRET_KEY, rate limits off for the run), seeds one parent with an e-mail address, and sends
interleaved pairs (the order inside each pair alternates):

  (a) POST /password/forgot with the existing e-mail vs an unknown one;
  (b) POST /register with the taken username vs a free one (valid password, consent).

Prints, per pair, the medians, p90s, their difference in ms, the share of "exists" samples above the
"does not exist" p90 (about 10 % when the two cannot be told apart) and the share of pairs in which the
"exists" request was the slower one (about 50 % when they cannot be told apart).
Run: .venv/bin/python bench/enumeration_timing.py [pairs]   (default 200)
"""

import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import database_url, fresh_database, percentile  # noqa: E402

NAME = "mentoring_bench_enumeration"
EXISTING_EMAIL = "known.parent@example.org"
TAKEN_USERNAME = "known.parent"
PASSWORD = "Quiet-harbour-4821"
CSRF = re.compile(
    r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"'
)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Visitor:
    """One browser: keeps the session cookie itself (production marks it Secure, and this is plain HTTP)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookie = ""

    def send(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, float]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Cookie": self.cookie})
        start = time.perf_counter()
        try:
            response = OPENER.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        text = response.read().decode()
        seconds = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith(("session=", "__Host-session=")):  # production's name has the prefix
                self.cookie = header.split(";", 1)[0]
        return response.status, text, seconds

    def token(self, path: str) -> str:
        match = CSRF.search(self.send(path)[1])
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1) or match.group(2)


def seed() -> None:
    from mentoring import create_app
    from mentoring.accounts import services
    from mentoring.extensions import db
    from mentoring.security import Role

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database_url(NAME)})
    with app.app_context():
        account = services.NewAccount(
            username=TAKEN_USERNAME, password=PASSWORD, locale="de", email=EXISTING_EMAIL
        )
        services.create_user(account, Role.PARENT)
        db.session.commit()
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, folder: Path) -> subprocess.Popen:
    # No shared metrics folder from the caller's shell: the bench's workers keep their metrics to themselves.
    inherited = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env = inherited | {
        "MENTORING_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url(NAME),
        "RATELIMIT_ENABLED": "0",
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(folder / "mail"),
        "PUBLIC_BASE_URL": "http://127.0.0.1",
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    # Its own control socket, so this instance never meets another gunicorn's.
    command += ["--control-socket", str(folder / "gunicorn.ctl"), "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def forgot(base: str) -> Callable[[bool, int], float]:
    visitor = Visitor(base)
    token = visitor.token("/password/forgot")

    def send(exists: bool, number: int) -> float:
        identifier = EXISTING_EMAIL if exists else f"nobody{number}@example.org"
        status, _, seconds = visitor.send("/password/forgot", {"csrf_token": token, "identifier": identifier})
        if status != 200:
            raise RuntimeError(f"/password/forgot answered {status}")
        return seconds

    return send


def register(base: str) -> Callable[[bool, int], float]:
    def send(exists: bool, number: int) -> float:
        visitor = Visitor(base)  # a new visitor each time: a registration logs the visitor in
        token = visitor.token("/register")
        username = TAKEN_USERNAME if exists else f"free.{number}.{secrets.token_hex(3)}"
        form = {"csrf_token": token, "username": username, "password": PASSWORD, "password_confirm": PASSWORD}
        status, _, seconds = visitor.send("/register", form | {"consent": "y"})
        if status != (422 if exists else 303):
            raise RuntimeError(f"/register answered {status} for {'taken' if exists else 'free'}")
        return seconds

    return send


def measure(label: str, send: Callable[[bool, int], float], pairs: int) -> None:
    for number in range(5):  # warm both workers up
        send(True, -number - 1)
        send(False, -number - 1)
    samples: dict[bool, list[float]] = {True: [], False: []}
    for number in range(pairs):
        for exists in (True, False) if number % 2 else (False, True):
            samples[exists].append(send(exists, number) * 1000)
    yes, no = samples[True], samples[False]
    above = sum(value > percentile(no, 0.9) for value in yes) / len(yes)
    slower = sum(a > b for a, b in zip(yes, no, strict=True)) / len(yes)
    print(f"{label}  ({pairs} pairs)")
    print(f"  exists:          median {statistics.median(yes):6.1f} ms   p90 {percentile(yes, 0.9):6.1f} ms")
    print(f"  does not exist:  median {statistics.median(no):6.1f} ms   p90 {percentile(no, 0.9):6.1f} ms")
    print(
        f"  difference:      median {statistics.median(yes) - statistics.median(no):+6.1f} ms"
        f"   p90 {percentile(yes, 0.9) - percentile(no, 0.9):+6.1f} ms"
        f"   exists above the other's p90: {above:.0%}"
        f"   exists slower in its pair: {slower:.0%}"
    )


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    fresh_database(NAME)
    seed()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-enum-") as folder:
        process = start_gunicorn(port, Path(folder))
        try:
            base = f"http://127.0.0.1:{port}"
            measure("(a) POST /password/forgot: existing e-mail vs unknown", forgot(base), pairs)
            measure("(b) POST /register: taken username vs free", register(base), pairs)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
