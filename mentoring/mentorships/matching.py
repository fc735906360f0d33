"""Which mentor parents fit a family, and why: pure functions, no database.

Hard rules (a mentor is left out): at least one shared language, active, a free place, not away.
Soft rules (points): same district, experience with the child's age group, shared topics, the
preferred contact mode. Each point comes with a reason the family can read.
"""

from dataclasses import dataclass, field

POINTS_DISTRICT = 30
POINTS_AGE_GROUP = 25
POINTS_PER_TOPIC = 10
POINTS_TOPICS_MAX = 30
POINTS_CONTACT_MODE = 15
POINTS_PER_LANGUAGE = 5


@dataclass(frozen=True)
class Need:
    """What a family asks for."""

    languages: frozenset[str]
    district: str | None = None
    age_group: str | None = None
    topics: frozenset[str] = frozenset()
    contact_mode: str | None = None
    # How well the family speaks each language ("little" | "well" | "native"); shown, not scored.
    language_levels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Offer:
    """What a mentor parent offers right now."""

    mentor_id: int
    languages: frozenset[str]
    districts: frozenset[str] = frozenset()
    age_groups: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    contact_modes: frozenset[str] = frozenset()
    is_active: bool = True
    free_places: int = 1
    is_away: bool = False


@dataclass(frozen=True)
class Reason:
    """One plain-words reason; `kind` picks the sentence, `values` fill it."""

    kind: str  # "languages" | "district" | "age_group" | "topics" | "contact_mode"
    values: tuple[str, ...]


@dataclass(frozen=True)
class Fit:
    mentor_id: int
    score: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def fit(need: Need, offer: Offer) -> Fit | None:
    """Score one mentor for one family; None when a hard rule leaves the mentor out."""
    shared_languages = need.languages & offer.languages
    if not shared_languages or not offer.is_active or offer.free_places < 1 or offer.is_away:
        return None
    score = POINTS_PER_LANGUAGE * len(shared_languages)
    reasons = [Reason("languages", tuple(sorted(shared_languages)))]
    if need.district and need.district in offer.districts:
        score += POINTS_DISTRICT
        reasons.append(Reason("district", (need.district,)))
    if need.age_group and need.age_group in offer.age_groups:
        score += POINTS_AGE_GROUP
        reasons.append(Reason("age_group", (need.age_group,)))
    shared_topics = need.topics & offer.topics
    if shared_topics:
        score += min(POINTS_PER_TOPIC * len(shared_topics), POINTS_TOPICS_MAX)
        reasons.append(Reason("topics", tuple(sorted(shared_topics))))
    if need.contact_mode and need.contact_mode in offer.contact_modes:
        score += POINTS_CONTACT_MODE
        reasons.append(Reason("contact_mode", (need.contact_mode,)))
    return Fit(offer.mentor_id, score, tuple(reasons))


def rank(need: Need, offers: list[Offer], limit: int = 10) -> list[Fit]:
    """The fitting mentors, best first; ties go to the mentor with more free places, then id."""
    places = {offer.mentor_id: offer.free_places for offer in offers}
    fits = [f for f in (fit(need, offer) for offer in offers) if f is not None]
    fits.sort(key=lambda f: (-f.score, -places[f.mentor_id], f.mentor_id))
    return fits[:limit]


def batch_match(needs: dict[int, Need], offers: list[Offer]) -> dict[int, Fit]:
    """Assign waiting families to mentors so the total score is as high as possible.

    Each mentor appears once per free place; a family gets at most one mentor; pairs that break
    a hard rule are impossible. Solved as an assignment problem (Hungarian method in SciPy),
    not greedily: taking the best pair first can block a better overall result.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    seats = [offer for offer in offers for _ in range(max(offer.free_places, 0))]
    request_ids = list(needs)
    if not seats or not request_ids:
        return {}
    impossible = -1
    scores = np.full((len(request_ids), len(seats)), impossible, dtype=float)
    fits: dict[tuple[int, int], Fit] = {}
    for row, request_id in enumerate(request_ids):
        for column, seat in enumerate(seats):
            result = fit(needs[request_id], seat)
            if result is not None:
                scores[row, column] = result.score
                fits[row, column] = result
    # Maximise the total; impossible pairs cost more than leaving a family waiting.
    cost = np.where(scores < 0, 10**6, -scores)
    rows, columns = linear_sum_assignment(cost)
    return {
        request_ids[row]: fits[row, column]
        for row, column in zip(rows, columns, strict=True)
        if scores[row, column] >= 0
    }
