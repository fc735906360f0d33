"""Liveness, readiness, Prometheus metrics and JSON logs."""

import io
import json
import logging

from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from mentoring.ops import OpsHandler
from tests.conftest import another_app_instance, redis_url

UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"


def test_ready_when_the_database_and_redis_answer(client):
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] is True
    if redis_url():  # the suite points the rate limits at Redis when it has one
        assert response.json["redis"] is True


def test_alive_but_not_ready_without_the_database(tmp_path):
    with another_app_instance(UNREACHABLE_DB, tmp_path, RATELIMIT_STORAGE_URI="memory://") as app:
        client = app.test_client()
        assert client.get("/health").status_code == 200
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": False}


def test_not_ready_without_the_configured_redis(database_url, tmp_path):
    with another_app_instance(
        database_url, tmp_path, RATELIMIT_STORAGE_URI="memory://", REDIS_URL="redis://127.0.0.1:1/0"
    ) as app:
        response = app.test_client().get("/ready")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": True, "redis": False}


def metric(text: str, prefix: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


def test_metrics_are_hidden_from_the_public_and_count(database_url, tmp_path):
    with another_app_instance(database_url, tmp_path, METRICS_TOKEN="s3cret-scrape-token") as app:
        client = app.test_client()
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        scrape = {"Authorization": "Bearer s3cret-scrape-token"}
        before = client.get("/metrics", headers=scrape)
        assert before.status_code == 200
        requests = 'mentoring_http_requests_total{endpoint="web.health",method="GET",status="200"}'
        client.get("/health")
        client.get("/health")
        with app.app_context():
            db.session.add(OutboxMessage(channel="email", recipient="a@example.org", locale="de", body_text="x"))
            db.session.commit()
        after = client.get("/metrics", headers=scrape).text
        assert metric(after, requests) == metric(before.text, requests) + 2
        assert "mentoring_http_request_duration_seconds_bucket" in after
        assert metric(after, "mentoring_outbox_backlog ") == 1
        assert "mentoring_job_runs_last_day" in after
        with app.app_context():
            db.session.query(OutboxMessage).delete()
            db.session.commit()
    with another_app_instance(database_url, tmp_path) as app:  # no token configured: no such page
        assert app.test_client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_json_logs_one_line_per_request_without_the_private_path(database_url, tmp_path):
    root = logging.getLogger()
    level = root.level
    try:
        with another_app_instance(database_url, tmp_path, LOG_FORMAT="json") as app:
            handler = next(h for h in root.handlers if isinstance(h, OpsHandler))
            stream = io.StringIO()
            handler.setStream(stream)
            app.test_client().get("/booking/private-token-123/delete")
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        requests = [line for line in lines if line["message"] == "request"]
        assert len(requests) == 1
        assert requests[0]["route"] == "/booking/<token>/delete"
        assert requests[0]["method"] == "GET" and isinstance(requests[0]["status"], int)
        assert "private-token-123" not in stream.getvalue()
    finally:
        for handler in [h for h in root.handlers if isinstance(h, OpsHandler)]:
            root.removeHandler(handler)
        root.setLevel(level)
