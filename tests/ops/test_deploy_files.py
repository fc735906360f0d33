"""The shipped proxy, service and README examples agree on what TRUSTED_PROXY_COUNT=1 relies on:
the app listens on 127.0.0.1 only, and the proxy overwrites X-Forwarded-For."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def active_lines(path: Path) -> list[str]:
    return [
        line.split("#")[0].strip()
        for line in path.read_text("utf-8").splitlines()
        if line.split("#")[0].strip()
    ]


def test_the_proxy_overwrites_x_forwarded_for_and_never_appends_the_clients_value():
    nginx = active_lines(ROOT / "deploy" / "nginx-mentoring.conf")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert not any("$proxy_add_x_forwarded_for" in line for line in nginx)
    assert "server 127.0.0.1:8000;" in nginx


def test_the_app_trusts_one_proxy_and_listens_only_where_that_proxy_reaches_it():
    env = active_lines(ROOT / "deploy" / "mentoring.env.example")
    assert "TRUSTED_PROXY_COUNT=1" in env
    service = [
        line
        for line in active_lines(ROOT / "deploy" / "mentoring-web.service")
        if line.startswith("ExecStart=")
    ]
    assert service and all("--bind 127.0.0.1:8000" in line for line in service)


def test_no_example_binds_the_app_to_every_address():
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "deploy").iterdir()]:
        text = path.read_text("utf-8")
        assert not re.search(r"--bind\s+(0\.0\.0\.0|\[::\]|:\d)", text), path.name
