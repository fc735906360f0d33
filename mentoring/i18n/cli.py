import click
from flask import current_app
from flask.cli import AppGroup

from mentoring.i18n import catalogs

i18n_cli = AppGroup("i18n", help="Message catalogs.")


@i18n_cli.command("update")
def update() -> None:
    """Extract new strings and merge them into every shipped catalog for translation."""
    catalogs.update(current_app.config["LANGUAGES"])
    click.echo("Catalogs updated; translate the new entries, then run `flask i18n compile`.")


@i18n_cli.command("compile")
def compile_catalogs() -> None:
    """Build the .mo files the app reads (they are not committed)."""
    catalogs.compile_all()
