import click
from flask import current_app
from flask.cli import AppGroup

from mentoring.accounts import services
from mentoring.accounts.passwords import MIN_LENGTH
from mentoring.extensions import db
from mentoring.security import Role

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create-coordinator")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Name shown to colleagues.")
@click.option("--email", default=None, help="E-mail for password resets.")
@click.password_option(help="Asked for when not given.")
def create_coordinator(username: str, display_name: str, email: str | None, password: str) -> None:
    """Create a coordinator account (the programme office)."""
    try:
        services.create_user(
            services.NewAccount(
                username=username,
                password=password,
                locale=current_app.config["DEFAULT_LOCALE"],
                display_name=display_name,
                email=email,
            ),
            Role.COORDINATOR,
        )
    except services.AccountError as error:
        db.session.rollback()
        messages = {
            "username_taken": "This username is already taken.",
            "weak_password": (
                f"The password is too weak (at least {MIN_LENGTH} characters, not a common one)."
            ),
        }
        raise click.ClickException(messages.get(error.code, error.code)) from error
    db.session.commit()
    click.echo(f"Coordinator {services.normalise_username(username)} created.")
