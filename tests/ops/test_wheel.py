"""The wheel runs outside the checkout: build it, install it into a fresh venv in a temporary
folder, migrate an empty PostgreSQL database, seed the demo, run the worker once and serve pages.

For speed the fresh venv gets the third-party dependencies from the checkout's venv (a path in a
.pth file: no project files, no editable hook); the project itself comes only from the wheel.
"""

import os
import secrets
import signal
import site
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

from tests.conftest import free_port, missing_service, private_postgres_database

CHECKOUT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    command = [str(a) for a in args]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=300, **kwargs)  # noqa: S603


def build_wheel(dist: Path) -> Path:
    run(sys.executable, "-m", "pip", "wheel", CHECKOUT, "--no-deps", "--no-build-isolation", "--quiet", "-w", dist)
    (wheel,) = dist.glob("mentoring-*.whl")
    return wheel


def test_the_wheel_carries_everything_it_needs(tmp_path):
    names = set(zipfile.ZipFile(build_wheel(tmp_path)).namelist())
    for name in (
        "mentoring/_bundle/config.py",
        "mentoring/_bundle/templates/_layout.html",
        "mentoring/_bundle/static/site.css",
        "mentoring/_bundle/translations/tr/LC_MESSAGES/messages.mo",
        "mentoring/_bundle/translations/ar/LC_MESSAGES/messages.mo",
        "mentoring/_bundle/migrations/env.py",
        "mentoring/_bundle/migrations/alembic.ini",
        "mentoring/accounts/common_passwords.txt",
        "mentoring/reference/data/oberhausen.json",
    ):
        assert name in names, name
    assert any(name.endswith("entry_points.txt") for name in names)
    assert not any(name.startswith(("tests/", "wsgi.py", "config.py")) for name in names)


def test_the_installed_wheel_migrates_seeds_and_serves_outside_the_checkout(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        missing_service("TEST_DATABASE_URL is not set (PostgreSQL)")
    wheel = build_wheel(tmp_path / "dist")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-deps",
        "--no-index", wheel)
    (target,) = (venv / "lib").glob("python3*/site-packages")
    (target / "checkout-venv-dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    home = tmp_path / "srv"
    home.mkdir()
    databases = private_postgres_database(url)
    database = next(databases)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "MENTORING_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database,
        "MENTORING_INSTANCE_PATH": str(home / "instance"),
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(home / "outbox"),
    }
    mentoring = venv / "bin" / "mentoring"
    try:
        where = run(venv / "bin" / "python", "-c", "import mentoring, mentoring.paths as p; print(mentoring.__file__, p.root())",
                    cwd=home, env=env).stdout
        assert str(venv) in where and str(CHECKOUT) not in where
        run(mentoring, "db", "upgrade", cwd=home, env=env)
        run(mentoring, "seed-demo", cwd=home, env={**env, "MENTORING_ENV": "development"})
        assert "outbox: ran" in run(mentoring, "worker", "--once", cwd=home, env=env).stdout
        port = free_port()
        log = home / "serve.log"
        with log.open("w") as output:
            server = subprocess.Popen(  # noqa: S603 (the installed command, fixed arguments)
                [str(mentoring), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=home, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(150):
                try:
                    with urllib.request.urlopen(f"{base}/ready", timeout=2) as response:
                        assert response.status == 200
                        break
                except OSError:
                    if server.poll() is not None:
                        raise AssertionError(log.read_text()) from None
                    time.sleep(0.2)
            with urllib.request.urlopen(f"{base}/consultations", timeout=10) as response:
                page = response.read().decode()
            assert response.status == 200 and "Sabine Kaya" in page
            turkish = urllib.request.Request(f"{base}/", headers={"Accept-Language": "tr"})
            with urllib.request.urlopen(turkish, timeout=10) as response:
                assert "Hızlı çıkış" in response.read().decode()  # the compiled catalogs are in the wheel
            with urllib.request.urlopen(f"{base}/static/site.css", timeout=10) as response:
                assert "inset-inline-start" in response.read().decode()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)
    finally:
        next(databases, None)
