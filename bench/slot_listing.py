"""Slot listing latency and SQL statements per request, at city scale and at a tenth of it.

City scale: 100 experts, 60,000 slots, 20,000 bookings. The statement count must not grow with
the data (no N+1). Run: .venv/bin/python bench/slot_listing.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.chdir(Path(__file__).resolve().parents[1])

from sqlalchemy import event  # noqa: E402

from bench.common import database_url, fill, fresh_database, percentile  # noqa: E402
from mentoring import create_app  # noqa: E402
from mentoring.extensions import db  # noqa: E402

PATHS = [
    "/consultations",
    "/consultations?language=tr&mode=phone",
    "/consultations?topic=sleep",
    "/api/v1/slots",
    "/api/v1/slots?language=ar",
]
ROUNDS = 40


def measure(scale: float) -> None:
    name = "mentoring_bench_listing"
    fresh_database(name)
    fill(name, experts=100, slots=int(60_000 * scale), bookings=int(20_000 * scale))
    app = create_app(
        "development", {"SQLALCHEMY_DATABASE_URI": database_url(name), "RATELIMIT_ENABLED": False}
    )
    statements: list[int] = []
    with app.app_context():
        engine = db.engine

    counter = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args):  # type: ignore[no-untyped-def]
        counter["n"] += 1

    client = app.test_client()
    for path in PATHS:  # warm-up
        client.get(path)
    for path in PATHS:
        timings = []
        for _ in range(ROUNDS):
            counter["n"] = 0
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            statements.append(counter["n"])
        print(
            f"scale={scale:<4} slots={int(60_000 * scale):>6} {path:<40} "
            f"p50={percentile(timings, 0.5):6.1f} ms  p95={percentile(timings, 0.95):6.1f} ms  "
            f"statements={counter['n']}"
        )
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    for scale in (0.1, 1.0):
        measure(scale)
