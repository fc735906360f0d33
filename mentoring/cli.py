"""The `mentoring` command: the Flask CLI with the app preloaded, plus `serve` (gunicorn).

    mentoring db upgrade            # the schema, from nothing or from the last release
    mentoring serve --bind 127.0.0.1:8000 --workers 4
    mentoring worker                # every periodic job on its schedule (mentoring/worker.py)
    mentoring outbox send           # ... and every single command, for cron users

MENTORING_ENV picks the configuration (development, production; production when unset), as for
`flask --app wsgi`.
"""

import os
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup


def make_app() -> Flask:
    from mentoring import create_app

    return create_app(os.environ.get("MENTORING_ENV") or "production")


class GunicornServer:
    """gunicorn run in-process with our app factory: each worker process builds its own app."""

    def __init__(self, options: dict[str, Any]) -> None:
        from gunicorn.app.base import BaseApplication

        class Server(BaseApplication):
            def load_config(self) -> None:
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self) -> Flask:
                return make_app()

        self.server = Server()

    def run(self) -> None:
        self.server.run()


@click.command("serve")
@click.option(
    "--bind",
    default=lambda: os.environ.get("BIND", "127.0.0.1:8000"),
    show_default="127.0.0.1:8000",
    help="Address (host:port or unix:/path) to listen on; keep it private behind the proxy.",
)
@click.option(
    "--workers", default=lambda: int(os.environ.get("WEB_CONCURRENCY", "2")), show_default="2", type=int
)
@click.option("--threads", default=1, show_default=True, type=int)
@click.option("--timeout", default=30, show_default=True, type=int)
def serve(bind: str, workers: int, threads: int, timeout: int) -> None:
    """Serve the app with gunicorn (production)."""
    make_app()  # fail here, with the configuration's message, rather than in every worker
    GunicornServer(
        {"bind": bind, "workers": workers, "threads": threads, "timeout": timeout, "accesslog": None}
    ).run()


cli = FlaskGroup(
    name="mentoring",
    create_app=make_app,
    add_version_option=False,
    load_dotenv=False,
    help="Mentor parents and consultation hours: the app's commands (MENTORING_ENV picks the config).",
)
cli.add_command(serve)


def main() -> None:
    cli.main(prog_name="mentoring")
