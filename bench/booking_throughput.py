"""Booking throughput: two gunicorn instances sharing PostgreSQL, 16 and 64 concurrent clients.

Beside it the floor: the same transactions (claim the seat, re-count, contact lock and checks,
insert the booking and its three outbox rows) issued directly with psycopg, in the same run.
Run: .venv/bin/python bench/booking_throughput.py
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import database_url, fill, fresh_database, percentile  # noqa: E402

PORTS = (8101, 8102)
BOOKINGS_PER_RUN = 1200
NAME = "mentoring_bench_booking"


def start_instances() -> list[subprocess.Popen]:
    env = os.environ | {
        "MENTORING_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url(NAME),
        "RATELIMIT_ENABLED": "0",
        "MAIL_BACKEND": "file",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
    }
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--threads",
                "8",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        for port in PORTS
    ]
    for port in PORTS:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
    return processes


def http_booking(slot_id: int, number: int) -> tuple[int, float]:
    body = json.dumps(
        {
            "slot_id": slot_id,
            "name": "Bench",
            "phone": f"+49151{number:08d}",
            "language": "de",
            "consent": True,
        }
    ).encode()
    port = PORTS[number % 2]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/bookings", data=body, headers={"Content-Type": "application/json"}
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - start


FLOOR_SQL = [
    (
        "UPDATE slots SET booked_count = booked_count + 1 WHERE id = %(slot)s AND status = 'open'"
        " AND booked_count < capacity",
        True,
    ),
    ("SELECT * FROM slots WHERE id = %(slot)s FOR UPDATE", False),
    (
        "SELECT count(*) FROM bookings WHERE slot_id = %(slot)s AND status IN ('confirmed','attended','no_show')",
        False,
    ),
    ("SELECT pg_advisory_xact_lock(hashtext(%(contact)s))", False),
    (
        "SELECT bookings.id, slots.starts_at, slots.ends_at FROM bookings JOIN slots ON slots.id = bookings.slot_id"
        " WHERE bookings.contact_key = %(contact)s AND bookings.status IN ('confirmed','attended','no_show')"
        " AND slots.ends_at > now()",
        False,
    ),
    (
        "INSERT INTO bookings (slot_id, reference, manage_token_hash, status, name, phone, contact_key, locale, note,"
        " privacy_version, created_at, cancel_reason) VALUES (%(slot)s, %(reference)s, %(hash)s, 'confirmed', 'Bench',"
        " %(contact)s, %(contact)s, 'de', '', 'bench', now(), '')",
        False,
    ),
]
OUTBOX_SQL = (
    "INSERT INTO outbox_messages (channel, recipient, locale, subject, body_text, status, send_after,"
    " attempts, created_at) VALUES ('sms', %(contact)s, 'de', '', 'text', 'pending', now(), 0, now())"
)


def floor_booking(connection: psycopg.Connection, slot_id: int, number: int) -> tuple[int, float]:
    params = {
        "slot": slot_id,
        "contact": f"+49152{number:08d}",
        "reference": f"F{number:09d}",
        "hash": f"f{number:063x}",
    }
    start = time.perf_counter()
    with connection.transaction(), connection.cursor() as cursor:
        for sql, must_hit in FLOOR_SQL:
            cursor.execute(sql, params)
            if must_hit and cursor.rowcount != 1:
                raise RuntimeError("seat not claimed")
        for _ in range(3):  # confirmation, reminder, expert notice
            cursor.execute(OUTBOX_SQL, params)
    return 201, time.perf_counter() - start


def run(label: str, clients: int, slots: list[int], book, first_number: int) -> None:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    work = list(enumerate(slots[:BOOKINGS_PER_RUN], start=first_number))
    position = {"next": 0}

    def client() -> None:
        connection = psycopg.connect(database_url(NAME, driver=False)) if book is floor_booking else None
        while True:
            with lock:
                if position["next"] >= len(work):
                    break
                number, slot_id = work[position["next"]]
                position["next"] += 1
            status, seconds = book(connection, slot_id, number) if connection else book(slot_id, number)
            with lock:
                latencies.append(seconds)
                statuses[status] = statuses.get(status, 0) + 1
        if connection:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ok = statuses.get(201, 0)
    print(
        f"{label:<28} clients={clients:<3} bookings/s={ok / elapsed:7.1f}  p50={percentile(latencies, 0.5) * 1000:6.1f} ms"
        f"  p95={percentile(latencies, 0.95) * 1000:6.1f} ms  statuses={statuses}"
    )


def main() -> None:
    fresh_database(NAME)
    free = fill(NAME, experts=100, slots=12_000, bookings=2_000)
    processes = start_instances()
    try:
        offset = 0
        for clients in (16, 64):
            run("gunicorn x2 (HTTP API)", clients, free[offset:], http_booking, offset)
            offset += BOOKINGS_PER_RUN
            run("psycopg floor (same SQL)", clients, free[offset:], floor_booking, offset)
            offset += BOOKINGS_PER_RUN
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
