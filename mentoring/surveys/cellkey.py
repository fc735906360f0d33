"""Consistent perturbation of published figures, in the manner of the cell-key method.

The German statistical offices published the 2022 census this way. Every record has a record key,
a number drawn once and uniformly from [0, 2^31). A table cell's key is the sum of the keys of the
records in it, modulo 2^31, so it is again uniform, and the same set of records always has the same
cell key, whichever table, filter or order it was asked for in. The noise added to a cell is read
from a fixed table at the cell key: asking again, or asking for the same people through another
filter, gives the very same figure, so repeating or re-filtering a query reveals nothing new; a set
that differs by one record has an unrelated key, so its noise looks independent.

- Counts: +-2 at most, with the probabilities of COUNT_NOISE (-2: 5 %, -1: 20 %, 0: 50 %, +1: 20 %,
  +2: 5 %); a count above zero never becomes zero or less, and an empty cell stays empty.
- Means on the 1-5 scale: MEAN_NOISE (+-0.2, +-0.1 or 0, with the same probabilities), shrunk by
  sqrt(5 / n) for a mean over n answers, so +-0.2 at most for the smallest group shown (5), and
  read at a second, independent place of the table so it does not follow the count's noise.

Responses carry a random record key of their own (`SurveyResponse.record_key`). Bookings,
mentoring requests and families get theirs from a keyed hash of their id (`derived_key`), with a
key made from the application's secret key: stable for the record's life, unknowable without it.
Pure functions, no database.
"""

import hashlib
import hmac
from collections.abc import Iterable
from math import sqrt

MODULUS = 2**31

# (noise, probability); the probabilities add up to 1.
COUNT_NOISE: tuple[tuple[int, float], ...] = ((-2, 0.05), (-1, 0.2), (0, 0.5), (1, 0.2), (2, 0.05))
MEAN_NOISE: tuple[tuple[float, float], ...] = ((-0.2, 0.05), (-0.1, 0.2), (0.0, 0.5), (0.1, 0.2), (0.2, 0.05))
MEAN_BASE = 5  # the mean's noise is MEAN_NOISE for 5 answers, and shrinks by sqrt(5 / n) above
MAX_COUNT_NOISE = 2
MAX_MEAN_NOISE = 0.2


def secret_for(app_secret: str | bytes) -> bytes:
    """The cell-key secret, derived from the application's secret key (never the key itself)."""
    raw = app_secret.encode() if isinstance(app_secret, str) else app_secret
    return hmac.new(raw, b"cellkey", hashlib.sha256).digest()


def derived_key(secret: bytes, kind: str, record_id: object) -> int:
    """A record key for a record without one: HMAC-SHA256 of "cellkey:<kind>:<id>", in [0, 2^31)."""
    digest = hmac.new(secret, f"cellkey:{kind}:{record_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") % MODULUS


def cell_key(record_keys: Iterable[int]) -> int:
    """The key of a cell: the sum of its records' keys, modulo 2^31."""
    return sum(record_keys) % MODULUS


def lookup(table: tuple[tuple[float, float], ...], position: float) -> float:
    """The noise at `position` in [0, 1) of a table of (noise, probability)."""
    reached = 0.0
    for noise, probability in table:
        reached += probability
        if position < reached:
            return noise
    return table[-1][0]


def count_position(key: int) -> float:
    return key / MODULUS


def mean_position(key: int, salt: str = "") -> float:
    """A second place in the table for the same cell key (and question), unrelated to the count's."""
    digest = hashlib.sha256(f"mean:{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def perturb_count(count: int, key: int) -> int:
    """The published count of a cell: the same cell key always gets the same noise."""
    if count <= 0:
        return 0
    return max(1, count + int(lookup(COUNT_NOISE, count_position(key))))


def perturb_mean(
    mean: float, answers: int, key: int, salt: str = "", low: float = 1, high: float = 5
) -> float:
    """The published mean of `answers` answers (kept inside the scale), rounded to two places;
    `salt` (the question) makes two questions answered by the same people get unrelated noise."""
    if answers <= 0:
        return mean
    noise = lookup(MEAN_NOISE, mean_position(key, salt)) * sqrt(MEAN_BASE / max(answers, MEAN_BASE))
    return round(min(high, max(low, mean + noise)), 2)
