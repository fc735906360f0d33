"""Real app servers for the reliability tests: gunicorn processes on 127.0.0.1 on the test database."""

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port, redis_url

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, prefix: str, workers: int = 2) -> Iterator[str]:
    """One app instance (as in production: gunicorn, several workers); yields its base URL."""
    port = free_port()
    env = os.environ | {
        "MENTORING_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "reliability-tests-" + "x" * 32,
        "RATELIMIT_KEY_PREFIX": prefix,
        "BOOKING_RATE_LIMIT": "100000 per minute",
        "API_RATE_LIMIT": "100000 per minute",
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
    }
    if redis_url():
        env["REDIS_URL"] = redis_url()  # type: ignore[assignment]
    log = open(tmp_path / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError((tmp_path / f"gunicorn-{port}.log").read_text())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def shared_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"
