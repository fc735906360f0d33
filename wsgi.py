"""Entry point for `flask --app wsgi` and `gunicorn wsgi:app`.

MENTORING_ENV picks the config; without it this is production, which refuses to start without a
real SECRET_KEY and DATABASE_URL. The demo and the checkout's commands say MENTORING_ENV=development
(the Makefile does)."""

import os

from mentoring import create_app

app = create_app(os.environ.get("MENTORING_ENV") or "production")
