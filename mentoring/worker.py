"""One worker process for every periodic job: `mentoring worker` (or `flask --app wsgi worker`).

Each job has ticks: the outbox every `WORKER_OUTBOX_SECONDS` (60), the waitlist holds every
`WORKER_HOLDS_SECONDS` (300), the daily jobs at the local times of `WORKER_DAILY_AT` in the
municipality's zone. A worker runs a job's latest tick when that tick has not run yet:

- On PostgreSQL it first takes the job's advisory lock (`pg_try_advisory_lock`) on a connection of
  its own; a worker that does not get it leaves the job to the one that has it. Then it looks the
  tick up in `job_runs` (unique per job and tick): done or failed means nothing to do. So any
  number of workers on any number of machines run each tick once, never one job twice at a time.
- A worker that dies mid-job loses its connection and with it the lock; its tick stays "running"
  and the next worker runs it again. Every job is a transaction of its own that picks up what is
  due, so running a tick again after a crash sends nothing twice (the outbox claims each message
  with `FOR UPDATE SKIP LOCKED` and marks it sent in the same transaction).
- On SQLite (development) there are no locks: run one worker.

The single commands (`outbox send`, `consultations holds`, `mentoring daily`, `surveys daily`,
`retention purge`) stay for cron users; the worker invokes exactly those commands.
"""

import logging
import os
import signal
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Index, String, Text, UniqueConstraint, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from mentoring import clock
from mentoring.db import UTCDateTime, str_enum
from mentoring.extensions import Model, db

log = logging.getLogger("mentoring.worker")

# Job name -> the CLI command it runs (group, command).
COMMANDS = {
    "outbox": ("outbox", "send"),
    "holds": ("consultations", "holds"),
    "mentoring": ("mentoring", "daily"),
    "surveys": ("surveys", "daily"),
    "retention": ("retention", "purge"),
}


# The record of job runs is kept this long (deleted after each retention run).
JOB_RUNS_KEEP_DAYS = 30


class RunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobRun(Model):
    """One tick of one periodic job, as run by a worker (kept as the record of what ran when)."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "tick", name="uq_job_runs_job_tick"),
        Index("ix_job_runs_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    tick: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, 16))
    attempts: Mapped[int] = mapped_column(default=1)
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Job:
    name: str
    tick: Callable[[datetime], datetime]  # the latest scheduled instant at or before `now`
    run: Callable[[datetime], Any]  # given the tick it runs for


def every(seconds: int) -> Callable[[datetime], datetime]:
    def tick(now: datetime) -> datetime:
        return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)

    return tick


def daily_at(wall_time: time) -> Callable[[datetime], datetime]:
    def tick(now: datetime) -> datetime:
        today = clock.today(now)
        scheduled = clock.at(today, wall_time)
        if scheduled > now:
            scheduled = clock.at(today - timedelta(days=1), wall_time)
        return scheduled.astimezone(UTC)

    return tick


def parse_daily_times(value: str) -> dict[str, time]:
    """"mentoring=03:00,surveys=03:30" -> {"mentoring": time(3, 0), ...}."""
    times = {}
    for item in value.split(","):
        if not item.strip():
            continue
        name, _, at = item.partition("=")
        hours, _, minutes = at.strip().partition(":")
        times[name.strip()] = time(int(hours), int(minutes or 0))
    return times


def command_job(app: Flask, name: str) -> Callable[[datetime], Any]:
    group_name, command_name = COMMANDS[name]
    group = app.cli.commands[group_name]
    assert isinstance(group, click.Group)
    command = group.commands[command_name]

    def run(_tick: datetime) -> Any:  # each command picks up what is due now
        with click.Context(command, info_name=f"{group_name} {command_name}") as ctx:
            return ctx.invoke(command)

    return run


def configured_jobs(app: Flask) -> list[Job]:
    config = app.config
    jobs = [
        Job("outbox", every(config["WORKER_OUTBOX_SECONDS"]), command_job(app, "outbox")),
        Job("holds", every(config["WORKER_HOLDS_SECONDS"]), command_job(app, "holds")),
    ]
    for name, wall_time in parse_daily_times(config["WORKER_DAILY_AT"]).items():
        if name not in COMMANDS:
            raise click.UsageError(f"WORKER_DAILY_AT names an unknown job: {name}")
        jobs.append(Job(name, daily_at(wall_time), command_job(app, name)))
    return jobs


def lock_key(job: str) -> int:
    """A stable signed 64-bit advisory-lock key per job."""
    return zlib.crc32(f"mentoring.worker:{job}".encode()) - 2**31


@contextmanager
def job_lock(job: str) -> Iterator[bool]:
    """The job's PostgreSQL advisory lock, held on a connection of its own while the job runs."""
    if db.engine.dialect.name != "postgresql":
        yield True  # SQLite: one worker, no locks
        return
    connection = db.engine.connect()
    key = lock_key(job)
    got = False
    try:
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        connection.commit()  # a session lock outlives the transaction; no idle transaction held
        yield got
    finally:
        try:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
        except Exception:  # a lost connection has lost its lock too; never reuse it
            connection.invalidate()
        connection.close()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    """Runs each job's latest tick once, across every worker sharing the database."""

    def __init__(self, jobs: list[Job], name: str | None = None) -> None:
        self.jobs = jobs
        self.name = name or worker_name()
        self.finished: dict[str, datetime] = {}  # the latest tick this worker knows is handled

    def run_due(self, now: datetime | None = None) -> dict[str, str]:
        """One pass over the jobs; returns what happened to each due one."""
        outcomes = {}
        for job in self.jobs:
            tick = job.tick(now or clock.utcnow())
            if self.finished.get(job.name) == tick:
                continue
            outcome = self.run_tick(job, tick)
            outcomes[job.name] = outcome
            if outcome != "busy":  # busy: another worker runs it; look again on the next pass
                self.finished[job.name] = tick
        return outcomes

    def run_tick(self, job: Job, tick: datetime) -> str:
        with job_lock(job.name) as got:
            if not got:
                return "busy"
            run = db.session.scalar(select(JobRun).where(JobRun.job == job.name, JobRun.tick == tick))
            if run is not None and run.status != RunStatus.RUNNING:
                db.session.rollback()
                return "skipped"
            if run is None:
                run = JobRun(job=job.name, tick=tick, attempts=1)
                db.session.add(run)
            else:  # the worker that started it died: run it again (every job is idempotent)
                run.attempts += 1
                log.warning("job %s tick %s left running by %s: running it again", job.name, tick, run.worker)
            run.status, run.worker, run.started_at = RunStatus.RUNNING, self.name, clock.utcnow()
            try:
                db.session.commit()
            except IntegrityError:  # another worker without a lock (SQLite) recorded it first
                db.session.rollback()
                return "skipped"
            run_id = run.id
            status, error = RunStatus.DONE, None
            try:
                job.run(tick)
            except Exception as exc:  # recorded and logged; the next tick tries again
                db.session.rollback()
                status, error = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
                log.exception("job %s tick %s failed", job.name, tick)
            finished = db.session.get(JobRun, run_id)
            assert finished is not None
            finished.status, finished.error, finished.finished_at = status, error, clock.utcnow()
            if job.name == "retention" and status == RunStatus.DONE:
                cutoff = clock.utcnow() - timedelta(days=JOB_RUNS_KEEP_DAYS)
                db.session.execute(delete(JobRun).where(JobRun.started_at < cutoff))
            db.session.commit()
            return "ran" if status == RunStatus.DONE else "failed"

    def serve(self, poll_seconds: float, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                for job, outcome in self.run_due().items():
                    log.info("job %s: %s", job, outcome)
            except Exception:  # e.g. the database restarting: keep going, try again on the next pass
                db.session.rollback()
                log.exception("worker pass failed; retrying")
            stop.wait(poll_seconds)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is due now, then exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Run every periodic job on its schedule (outbox, holds, daily jobs); any number may run."""
    worker = Worker(configured_jobs(current_app))
    if once:
        for job, outcome in worker.run_due().items():
            click.echo(f"{job}: {outcome}")
        return
    if not logging.getLogger().handlers:  # LOG_FORMAT=text: plain lines on stderr
        logging.basicConfig(
            level=current_app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())  # finish the running job, then exit
    log.info("worker %s started", worker.name)
    worker.serve(current_app.config["WORKER_POLL_SECONDS"], stop)
