"""PostgreSQL restarts while a bounded load runs against gunicorn: requests during the outage fail
cleanly (503, no traceback), the app recovers by itself, and no booking is lost or duplicated."""

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mentoring.consultations.models import Booking
from mentoring.extensions import db
from tests.factories import make_expert, make_slot
from tests.reliability.conftest import gunicorn, shared_prefix

pytestmark = pytest.mark.postgres_only
REQUESTS = 240  # bounded: about 40 a second for six seconds, from one thread


def restart_postgres() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(  # noqa: S603 (fixed arguments; pg_ctlcluster from Debian's PATH)
        [
            shutil.which("pg_ctlcluster") or "/usr/bin/pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            "restart",
        ],
        check=True,
        timeout=120,
    )


def call(request) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:  # the connection itself failed
        return 0, str(error)


def diagnostics(tmp_path: Path, results: list[tuple[float, int, str, str, str]]) -> str:
    """The gunicorn error log and, for each failure that is not the expected 503, the request,
    its status and the first lines of its body."""
    lines = ["", "=== failures other than 503 ==="]
    for _t, status, _p, text, what in results:
        if status not in {200, 201, 503}:
            head = "\n    ".join(text.splitlines()[:15])
            lines.append(f"{what} -> {status}\n    {head}")
    for log in sorted(tmp_path.glob("gunicorn-*.log")):
        lines += [f"=== {log.name} ===", log.read_text(errors="replace")]
    return "\n".join(lines)


def test_a_database_restart_under_load_loses_nothing_and_the_app_recovers(app, database_url, tmp_path):
    expert = make_expert(app)
    # 150 seats for 120 booking requests, so no refusal is "full": every failure is the outage.
    slots = [make_slot(app, expert, capacity=50, starts_in=timedelta(days=2 + n)) for n in range(3)]
    # (when, status, phone of a booking or "", body, "METHOD URL")
    results: list[tuple[float, int, str, str, str]] = []

    def load(base: str) -> None:
        for number in range(REQUESTS):
            phone = f"+4917688{number:05d}"
            if number % 2:
                body = {
                    "slot_id": slots[number % 3],
                    "name": f"F{number}",
                    "phone": phone,
                    "language": "de",
                    "consent": True,
                }
                request = urllib.request.Request(
                    f"{base}/api/v1/bookings",
                    data=json.dumps(body).encode(),
                    headers={"Content-Type": "application/json"},
                )
            else:
                request = urllib.request.Request(f"{base}/consultations")
            status, text = call(request)
            what = f"{request.get_method()} {request.full_url}"
            results.append((time.monotonic(), status, phone if number % 2 else "", text, what))
            time.sleep(0.02)

    with gunicorn(database_url, tmp_path, shared_prefix()) as base:
        worker = threading.Thread(target=load, args=(base,))
        worker.start()
        time.sleep(1.5)
        restart_started = time.monotonic()
        restart_postgres()
        restart_done = time.monotonic()
        worker.join(timeout=300)
        after = call(urllib.request.Request(f"{base}/consultations"))

    try:
        assert len(results) == REQUESTS
        failed = [(status, text) for _t, status, _p, text, _w in results if status != 200 and status != 201]
        # Failures are clean: a 503 page or JSON, never a traceback, never a 500.
        assert all(status in {503, 0} for status, _ in failed), sorted({s for s, _ in failed})
        assert not [text for status, text in failed if "Traceback" in text]
        assert after[0] == 200  # recovered by itself
        assert [r for r in results if r[0] > restart_done + 3 and r[1] not in {200, 201}] == []
        created = {phone for _t, status, phone, _text, _w in results if status == 201}
        with app.app_context():
            rows = db.session.scalars(select(Booking.phone).where(Booking.slot_id.in_(slots))).all()
            assert len(rows) == len(set(rows))  # nothing twice
            assert created <= set(rows)  # nothing confirmed was lost
            uncertain = set(rows) - created  # committed while the answer was lost: only during the outage
            assert len(uncertain) <= 2
    except AssertionError:
        # A failure that happens in some runs only must explain itself the first time it happens.
        print(diagnostics(tmp_path, results))
        raise
    statuses = Counter(status for _t, status, _p, _x, _w in results)
    booked_before = sum(1 for t, status, _p, _x, _w in results if status == 201 and t < restart_started)
    print(
        f"\n{REQUESTS} requests; restart took {restart_done - restart_started:.1f} s; "
        f"{len(failed)} failed during it ({sorted({s for s, _ in failed})}), the last "
        f"{max((t for t, s, _p, _x, _w in results if s not in {200, 201}), default=restart_done) - restart_done:.1f} s "
        "after the restart; "
        f"{len(created)} bookings confirmed, {len(rows)} rows after"
        f"\nTALLY requests={len(results)} statuses={dict(sorted(statuses.items()))} "
        f"booked_before_restart={booked_before} confirmed={len(created)} rows_after={len(rows)}"
    )
