"""Operations: readiness, Prometheus metrics and structured (JSON) logs.

- `/health` (liveness, in mentoring.web) answers 200 as long as the process serves requests.
- `/ready` answers 200 when the database and, when configured, Redis answer; 503 otherwise (the
  proxy or load balancer sends no families to an instance that is not ready).
- `/metrics` (Prometheus text format) only with `Authorization: Bearer <METRICS_TOKEN>`; without a
  configured token it does not exist (404). Requests and latencies by route, the outbox backlog and
  the worker's recorded job runs. With several gunicorn processes set PROMETHEUS_MULTIPROC_DIR.
- `LOG_FORMAT=json`: one JSON object per line on stderr; every request logs one line with its
  route pattern (never the path itself: paths carry private links), status and duration.
- The development server's request lines (logger `werkzeug`) show private links' tokens as "…".
"""

import hmac
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select, text

from mentoring import clock
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from mentoring.security import public
from mentoring.worker import JobRun, RunStatus

bp = Blueprint("ops", __name__)
log = logging.getLogger("mentoring.request")

REQUESTS = Counter(
    "mentoring_http_requests", "HTTP requests answered, by route and status", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "mentoring_http_request_duration_seconds", "Time to answer a request, by route", ["method", "endpoint"]
)


@bp.get("/ready")
@public
def ready():
    """For the proxy and the load balancer: can this instance serve families right now?"""
    checks = {"database": database_ok(), "redis": redis_ok()}
    failed = [name for name, ok in checks.items() if ok is False]
    body = {"status": "unavailable" if failed else "ok", **{k: v for k, v in checks.items() if v is not None}}
    return body, 503 if failed else 200


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # any database failure means: not ready
        db.session.rollback()
        return False


def redis_url() -> str:
    storage = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    return storage if storage.startswith("redis") else current_app.config["REDIS_URL"]


def redis_ok() -> bool | None:
    """None when no Redis is configured."""
    url = redis_url()
    if not url:
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # unreachable, refused, timed out, bad password
        return False


@bp.get("/metrics")
@public
def metrics():
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if not token:
        abort(404)
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(404)  # the public does not learn that the path exists
    from_database = CollectorRegistry()
    from_database.register(DatabaseCollector())
    output = generate_latest(process_registry()) + generate_latest(from_database)
    return Response(output, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def process_registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class DatabaseCollector(Collector):
    """What every instance sees alike, read at scrape time: the outbox backlog and the job runs."""

    def collect(self) -> Iterator[Any]:
        now = clock.utcnow()
        backlog = GaugeMetricFamily("mentoring_outbox_backlog", "Messages due and not yet sent")
        backlog.add_metric(
            [],
            db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.send_after <= now)
            )
            or 0,
        )
        yield backlog
        runs = GaugeMetricFamily(
            "mentoring_job_runs_last_day", "Job runs started in the last 24 hours, by job and outcome",
            labels=["job", "status"],
        )
        rows = db.session.execute(
            select(JobRun.job, JobRun.status, func.count())
            .where(JobRun.started_at >= now - timedelta(days=1))
            .group_by(JobRun.job, JobRun.status)
        ).all()
        for job, status, count in rows:
            runs.add_metric([job, str(status)], count)
        yield runs
        last = GaugeMetricFamily(
            "mentoring_job_last_success_timestamp_seconds", "When each job last finished well", labels=["job"]
        )
        finished_well = (
            select(JobRun.job, func.max(JobRun.finished_at))
            .where(JobRun.status == RunStatus.DONE)
            .group_by(JobRun.job)
        )
        for job, finished in db.session.execute(finished_well).all():
            if finished is not None:
                last.add_metric([job], finished.timestamp())
        yield last
        db.session.rollback()


def start_timer() -> None:
    g.ops_started = time.perf_counter()


def record_request(response: Response) -> Response:
    started = g.pop("ops_started", None)
    if started is None:
        return response
    duration = time.perf_counter() - started
    endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
    REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    LATENCY.labels(request.method, endpoint).observe(duration)
    log.info(
        "request",
        extra={
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 1),
        },
    )
    return response


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message and any extra fields."""

    STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": clock.utcnow().isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in record.__dict__.items() if key not in self.STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


# A path segment that looks like a link's token (16+ characters of the URL-safe alphabet).
TOKEN_SEGMENT = re.compile(r"/[A-Za-z0-9_-]{16,}")


class HideTokens(logging.Filter):
    """Rewrites a log line so that no token of a private link (manage, reset, survey) is in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = TOKEN_SEGMENT.sub("/…", message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


def hide_tokens_in_request_lines() -> None:
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(existing, HideTokens) for existing in werkzeug.filters):
        werkzeug.addFilter(HideTokens())


class OpsHandler(logging.StreamHandler):
    """Our handler on the root logger (replaced, not added again, when another app is built)."""


def init_logging(app: Flask) -> None:
    hide_tokens_in_request_lines()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, OpsHandler)]:
        root.removeHandler(handler)
    if app.config["LOG_FORMAT"] != "json":
        return
    handler = OpsHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])


def init_ops(app: Flask) -> None:
    init_logging(app)
    app.before_request(start_timer)
    app.after_request(record_request)
    app.register_blueprint(bp)
