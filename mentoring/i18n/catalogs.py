"""Extract, update and compile the message catalogs with Babel, the same way everywhere."""

from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from mentoring import paths

ROOT = paths.root()
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"

# Babel skips folders that start with "_" by default; templates/_macros holds strings too.
EXTRACT_ARGS = [
    "-F",
    str(ROOT / "babel.cfg"),
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "--ignore-dirs",
    ".* __pycache__ node_modules",
    "--no-location",
    "--sort-output",
    "--width",
    "100",
    "--project",
    "mentoring",
    "--copyright-holder",
    "mentoring",
]


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(output: Path = TEMPLATE) -> None:
    pybabel("extract", *EXTRACT_ARGS, "-o", str(output), str(ROOT))


def update(languages: list[str]) -> None:
    """Extract the template, then merge it into every shipped catalog (creating missing ones)."""
    extract()
    for code in languages:
        # No fuzzy matching: a guessed translation is worse than an honest gap the gate reports.
        pybabel(
            "update",
            "-i",
            str(TEMPLATE),
            "-d",
            str(TRANSLATIONS),
            "-l",
            code,
            "--init-missing",
            "--width",
            "100",
            "--ignore-obsolete",
            "--no-fuzzy-matching",
        )


def compile_all() -> None:
    pybabel("compile", "-d", str(TRANSLATIONS))
