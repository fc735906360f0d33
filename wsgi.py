"""Entry point for `flask --app wsgi` and `gunicorn wsgi:app`; MENTORING_ENV picks the config."""

import os

from mentoring import create_app

app = create_app(os.environ.get("MENTORING_ENV", "development"))
