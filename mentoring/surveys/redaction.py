"""Redaction of parents' free-text comments before anyone reads them: phone numbers, e-mail
addresses and the names of people the system knows are replaced by placeholders.

A pure function over plain strings, so the comments page, the export and the tests use the same
rule. Over-redaction is accepted: a hidden ordinary word costs less than a visible name.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# Digit runs that look like a phone number but that phonenumbers does not accept (too short for a
# valid number, unknown area codes, Arabic-Indic digits): at least 6 digits with spaces, slashes,
# hyphens or brackets between them. Dots are left out, so dates like 12.03.2026 stay readable.
DIGITS = re.compile(r"\+?\(?\d[\d\s/()\-]{4,}\d")
MIN_FALLBACK_DIGITS = 6
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WORD = re.compile(r"[^\W\d_]+")  # a run of letters, in any script
MIN_NAME_LETTERS = 3
# Words in account names that are the programme's own vocabulary, not anyone's name.
NOT_NAMES = frozenset(
    {
        "admin",
        "coordinator",
        "demo",
        "eltern",
        "expert",
        "experte",
        "expertin",
        "familie",
        "family",
        "mentor",
        "mentorin",
        "office",
        "parent",
        "test",
        "user",
    }
)


@dataclass(frozen=True)
class Placeholders:
    name: str = "[name]"
    phone: str = "[phone]"
    email: str = "[e-mail]"


def fold(word: str) -> str:
    """A word's matching key: case-folded, without accents, Turkish dotless ı as i, so "AYŞE",
    "Ayse" and "ayşe" are one name, and "YILMAZ" is "Yılmaz"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("ı", "i"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_words(names: Iterable[str | None]) -> frozenset[str]:
    """The words of known names (display names, usernames, names on bookings), case-folded, that
    are long enough to be matched: "Ayşe Yılmaz" gives "ayşe" and "yılmaz", "anna.k" gives "anna"."""
    words = set()
    for name in names:
        for word in WORD.findall(name or ""):
            folded = fold(word)
            if len(folded) >= MIN_NAME_LETTERS and folded not in NOT_NAMES:
                words.add(folded)
    return frozenset(words)


def phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in phonenumbers.PhoneNumberMatcher(text, "DE"):
        spans.append((match.start, match.end))
    for found in DIGITS.finditer(text):
        digits = sum(ch.isdigit() for ch in found.group())
        if digits >= MIN_FALLBACK_DIGITS and not ISO_DATE.fullmatch(found.group().strip()):
            spans.append(found.span())
    return spans


def redact(text: str, names: frozenset[str], placeholders: Placeholders = Placeholders()) -> str:
    """The text with e-mail addresses, phone numbers and known names (whole words, any case)
    replaced; `names` comes from `name_words`."""
    spans: list[tuple[int, int, str]] = []

    def add(start: int, end: int, placeholder: str) -> None:
        if any(start < other_end and other_start < end for other_start, other_end, _ in spans):
            return  # already inside an address or a number
        spans.append((start, end, placeholder))

    for found in EMAIL.finditer(text):
        add(*found.span(), placeholders.email)
    for start, end in phone_spans(text):
        add(start, end, placeholders.phone)
    for found in WORD.finditer(text):
        if fold(found.group()) in names:
            add(*found.span(), placeholders.name)
    pieces, position = [], 0
    for start, end, placeholder in sorted(spans):
        pieces += [text[position:start], placeholder]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
