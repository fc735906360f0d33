import click
from flask import current_app
from sqlalchemy import select

from mentoring.accounts import services as accounts
from mentoring.accounts.models import User
from mentoring.extensions import db
from mentoring.reference import services as reference
from mentoring.security import Role
from mentoring.web import bp

DEMO_PASSWORD = "wertvoll-2026"  # noqa: S105  (documented demo password, refused in production)

DEMO_USERS = (
    ("coordinator", Role.COORDINATOR, "Koordinierungsstelle"),
    ("expert", Role.EXPERT, "Hebamme Sabine Kaya"),
    ("mentor", Role.MENTOR, "Ayşe (Mentorin)"),
    ("parent", Role.PARENT, "Lena"),
)


def ensure_demo_user(username: str, role: Role, display_name: str) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = accounts.create_user(
            accounts.NewAccount(
                username=username,
                password=DEMO_PASSWORD,
                locale=current_app.config["DEFAULT_LOCALE"],
                display_name=display_name,
            ),
            role,
        )
    return user


@bp.cli.command("seed-demo")
def seed_demo() -> None:
    """Create demo accounts, districts and topics; running it again changes nothing."""
    if not current_app.config.get("ALLOW_DEMO_SEED", False):
        raise click.ClickException("Demo data is not allowed in this environment.")
    try:
        districts, topics = reference.load_reference_file(current_app.config["MUNICIPALITY_DATA_FILE"])
    except reference.ReferenceDataError as error:
        raise click.ClickException(str(error)) from error
    for username, role, display_name in DEMO_USERS:
        ensure_demo_user(username, role, display_name)
    db.session.commit()
    click.echo(f"{districts} districts and {topics} topics loaded.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, _name in DEMO_USERS:
        click.echo(f"  {role.value:<12} {username}")


@bp.cli.command("load-reference")
@click.argument("path", required=False)
def load_reference(path: str | None) -> None:
    """Load districts and topics from the municipality's data file (or PATH)."""
    try:
        districts, topics = reference.load_reference_file(
            path or current_app.config["MUNICIPALITY_DATA_FILE"]
        )
    except reference.ReferenceDataError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{districts} districts and {topics} topics loaded.")
