"""Shared set-up for the benchmarks: a PostgreSQL database of its own, filled at city scale."""

import os
import random
import string
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import psycopg

BASE_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def database_url(name: str, driver: bool = True) -> str:
    prefix = BASE_URL.replace("postgresql://", "postgresql+psycopg://") if driver else BASE_URL
    return f"{prefix}/{name}"


def fresh_database(name: str) -> None:
    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    env = os.environ | {"DATABASE_URL": database_url(name), "MENTORING_ENV": "development"}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        check=True,
        env=env,
        capture_output=True,
    )


def fill(name: str, experts: int, slots: int, bookings: int, capacity: int = 1, seed: int = 7) -> list[int]:
    """Insert experts, future slots (spread over 60 days) and bookings; returns the free slot ids."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with psycopg.connect(database_url(name, driver=False)) as connection, connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO users (username, password_hash, role, display_name, locale, is_active_account,"
            " session_version, created_at) VALUES (%s, 'x', 'expert', %s, 'de', true, 1, %s)",
            [(f"expert{n}", f"Expert {n}", now) for n in range(experts)],
        )
        cursor.execute(
            "INSERT INTO expert_profiles (user_id, profession, languages) SELECT id, 'Hebamme', ',de,tr,' FROM users"
        )
        cursor.execute("SELECT id FROM expert_profiles ORDER BY id")
        expert_ids = [row[0] for row in cursor.fetchall()]
        languages = [",de,", ",de,tr,", ",ar,de,", ",uk,ru,", ",de,en,fa,"]
        topics = [",sleep,", ",feeding,crying,", ",kita,money,", ",language,", ",pregnancy,sleep,"]
        rows = []
        per_expert = slots // experts
        for index, expert_id in enumerate(expert_ids):
            for n in range(per_expert):
                starts = now + timedelta(hours=13 + n * 60 * 24 // per_expert, minutes=index % 60)
                rows.append(
                    (
                        expert_id,
                        starts,
                        starts + timedelta(minutes=30),
                        starts - timedelta(days=90),
                        starts - timedelta(hours=12),
                        rng.choice(["phone", "online"]),
                        rng.choice(languages),
                        rng.choice(topics),
                        capacity,
                    )
                )
        cursor.executemany(
            "INSERT INTO slots (expert_id, starts_at, ends_at, bookable_from, bookable_until, mode, call_direction,"
            " languages, topics, capacity, min_notice_hours, horizon_days, cancel_deadline_hours, booked_count,"
            " status, created_at) VALUES (%s, %s, %s, %s, %s, %s, 'expert_calls', %s, %s, %s, 12, 90, 12, 0,"
            " 'open', now())",
            rows,
        )
        cursor.execute("SELECT id FROM slots ORDER BY id")
        slot_ids = [row[0] for row in cursor.fetchall()]
        booked = rng.sample(slot_ids, bookings)
        cursor.executemany(
            "INSERT INTO bookings (slot_id, reference, manage_token_hash, status, name, phone, contact_key, locale,"
            " note, privacy_version, created_at, cancel_reason) VALUES (%s, %s, %s, 'confirmed', 'Bench', %s, %s,"
            " 'de', '', 'bench', now(), '')",
            [
                (
                    slot_id,
                    "".join(rng.choices(string.ascii_uppercase, k=10)),
                    f"{n:064x}",
                    f"+49176{n:08d}",
                    f"+49176{n:08d}",
                )
                for n, slot_id in enumerate(booked)
            ],
        )
        cursor.execute("UPDATE slots SET booked_count = 1 WHERE id IN (SELECT slot_id FROM bookings)")
        cursor.execute(
            "INSERT INTO topics (key, names, position, is_active) VALUES ('sleep', '{\"de\": \"Schlafen\"}', 0, true)"
        )
        connection.commit()
        cursor.execute("ANALYZE")  # what autovacuum does in production after a bulk load
        taken = set(booked)
        return [slot_id for slot_id in slot_ids if slot_id not in taken]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
