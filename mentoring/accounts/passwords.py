"""What makes a password too weak: short, the username, or one of the most common ones."""

from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text("utf-8").splitlines())


def password_problem(password: str, username: str) -> str | None:
    """Return 'too_short', 'too_long' or 'too_common', or None when the password is fine."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in common_passwords() or (username and username.lower() in lowered):
        return "too_common"
    if len(set(password)) < 4:
        return "too_common"
    return None
