"""Plain functions that put things in the database the way the app would, with real commits."""

import itertools

from flask import Flask

from mentoring.accounts import services
from mentoring.extensions import db
from mentoring.security import Role

DEMO_PASSWORD = "sunny-garden-72"
_numbers = itertools.count(1)


def make_user(
    app: Flask,
    role: str | Role = Role.PARENT,
    username: str | None = None,
    password: str = DEMO_PASSWORD,
    locale: str = "de",
    **fields: object,
) -> str:
    """Create an account and return its username."""
    role = Role(role)
    username = username or f"{role.value}{next(_numbers)}"
    with app.app_context():
        services.create_user(
            services.NewAccount(username=username, password=password, locale=locale, **fields),  # type: ignore[arg-type]
            role,
        )
        db.session.commit()
    return username


def get_user(app: Flask, username: str):  # type: ignore[no-untyped-def]
    """Load a user in a fresh app context; returns a detached object for assertions."""
    with app.app_context():
        user = services.find_user_by_username(username)
        if user is not None:
            db.session.expunge(user)
        return user
