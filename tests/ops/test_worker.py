"""`mentoring worker`: every periodic job on its schedule, each tick once across all workers."""

import itertools
import threading
import time as wall
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.worker import COMMANDS, Job, JobRun, RunStatus, Worker, configured_jobs, daily_at, every
from tests.conftest import another_app_instance

NOW = datetime(2026, 12, 3, 10, 17, 42, tzinfo=UTC)


def test_ticks_every_interval_and_daily_at_local_time():
    assert every(60)(NOW) == datetime(2026, 12, 3, 10, 17, tzinfo=UTC)
    assert every(300)(NOW) == datetime(2026, 12, 3, 10, 15, tzinfo=UTC)
    # 03:00 in Oberhausen is 02:00 UTC in winter; before it, yesterday's tick is the latest.
    assert daily_at(time(3))(NOW) == datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    assert daily_at(time(3))(datetime(2026, 12, 3, 1, 59, tzinfo=UTC)) == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    # Summer: 03:00 is 01:00 UTC.
    assert daily_at(time(3))(datetime(2026, 7, 1, 12, tzinfo=UTC)) == datetime(2026, 7, 1, 1, 0, tzinfo=UTC)


def test_worker_runs_every_command_once_per_tick(app):
    with app.app_context():
        jobs = configured_jobs(app)
        assert sorted(job.name for job in jobs) == sorted(COMMANDS)
        first = Worker(jobs, name="a")
        assert first.run_due(NOW) == dict.fromkeys(COMMANDS, "ran")
        assert first.run_due(NOW) == {}  # nothing new is due
        assert Worker(jobs, name="b").run_due(NOW) == dict.fromkeys(COMMANDS, "skipped")
        runs = db.session.scalars(select(JobRun)).all()
        assert len(runs) == len(COMMANDS)
        assert {run.status for run in runs} == {RunStatus.DONE}
        # A minute later only the outbox is due again.
        assert first.run_due(NOW + timedelta(minutes=1)) == {"outbox": "ran"}
        # The record is kept 30 days: the retention run deletes older ones.
        old = NOW - timedelta(days=31)
        db.session.add(JobRun(job="outbox", tick=old, status=RunStatus.DONE, attempts=1, worker="a", started_at=old))
        db.session.commit()
        assert first.run_due(NOW + timedelta(days=1)) == dict.fromkeys(COMMANDS, "ran")
        assert db.session.scalar(select(JobRun).where(JobRun.tick == old)) is None


def test_a_tick_left_running_by_a_crashed_worker_runs_again(app):
    calls = []
    job = Job("outbox", every(60), lambda _tick: calls.append(1))
    with app.app_context():
        tick = every(60)(NOW)
        db.session.add(JobRun(job="outbox", tick=tick, status=RunStatus.RUNNING, attempts=1, worker="dead:1",
                              started_at=tick))
        db.session.commit()
        assert Worker([job], name="b").run_due(NOW) == {"outbox": "ran"}
        run = db.session.scalars(select(JobRun)).one()
        assert (run.status, run.attempts, run.worker, calls) == (RunStatus.DONE, 2, "b", [1])


def test_a_failing_job_is_recorded_and_the_others_still_run(app):
    def broken(_tick: datetime) -> None:
        raise RuntimeError("SMTP down")

    ran = []
    with app.app_context():
        outcomes = Worker([Job("outbox", every(60), broken), Job("holds", every(300), lambda _tick: ran.append(1))]).run_due(NOW)
        assert outcomes == {"outbox": "failed", "holds": "ran"}
        failed = db.session.scalars(select(JobRun).where(JobRun.job == "outbox")).one()
        assert failed.status == RunStatus.FAILED and "SMTP down" in failed.error


@pytest.mark.postgres_only
def test_two_workers_side_by_side_run_each_job_once_per_tick(app, database_url, tmp_path):
    """Two app instances (two connection pools, as two machines) poll a 1-second schedule."""
    runs: list[tuple[str, datetime, str, float, float]] = []
    record = threading.Lock()

    def job(name: str, seconds: int, worker: str) -> Job:
        def run(tick: datetime) -> None:
            started = wall.monotonic()
            wall.sleep(0.3)  # long enough for the other worker to try the same tick meanwhile
            with record:
                runs.append((name, tick, worker, started, wall.monotonic()))

        return Job(name, every(seconds), run)

    stop = threading.Event()
    errors: list[BaseException] = []

    def serve(instance, worker: str) -> None:
        try:
            with instance.app_context():
                Worker([job("outbox", 1, worker), job("holds", 2, worker)], name=worker).serve(0.02, stop)
        except BaseException as error:  # reported by the test
            errors.append(error)

    with another_app_instance(database_url, tmp_path) as first, another_app_instance(database_url, tmp_path) as second:
        threads = [threading.Thread(target=serve, args=(first, "w1")), threading.Thread(target=serve, args=(second, "w2"))]
        for thread in threads:
            thread.start()
        wall.sleep(5)
        stop.set()
        for thread in threads:
            thread.join(10)
    assert not errors
    for name in ("outbox", "holds"):
        mine = [run for run in runs if run[0] == name]
        ticks = [run[1] for run in mine]
        assert len(ticks) == len(set(ticks)), f"{name} ran a tick twice: {mine}"
        assert len(ticks) >= (4 if name == "outbox" else 2)
        spans = sorted((run[3], run[4]) for run in mine)
        assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans)), (
            f"{name} ran twice at the same time"
        )
    with app.app_context():
        recorded = db.session.execute(select(JobRun.job, JobRun.tick, JobRun.status)).all()
    assert sorted((job, tick) for job, tick, _ in recorded) == sorted((run[0], run[1]) for run in runs)
