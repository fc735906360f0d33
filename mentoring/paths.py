"""Where the app's files live: in the checkout, or inside the installed package (a wheel).

The repository keeps `config.py`, `templates/`, `static/`, `translations/` and `migrations/` at its
top; the wheel carries them under `mentoring/_bundle/` (see `[tool.hatch.build]` in pyproject.toml).
Everything that needs one of them asks `root()`, so the same code runs from either place.
"""

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUNDLE = PACKAGE / "_bundle"
CHECKOUT = PACKAGE.parent


def installed() -> bool:
    """True when running from an installed wheel (the top-level files are bundled in the package)."""
    return (BUNDLE / "config.py").is_file()


def root() -> Path:
    """The folder holding config.py, templates/, static/, translations/ and migrations/."""
    return BUNDLE if installed() else CHECKOUT


def instance() -> Path:
    """Writable files (the development SQLite database, outbox files): MENTORING_INSTANCE_PATH,
    else `instance/` in the checkout, else `instance/` in the working directory."""
    configured = os.environ.get("MENTORING_INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    return Path.cwd() / "instance" if installed() else CHECKOUT / "instance"
