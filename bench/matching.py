"""Suggestions and the optimal batch match with 400 mentor parents and 1,000 waiting families.

Pure functions (no database), so the figure is the matching itself.
Run: .venv/bin/python bench/matching.py
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mentoring.mentorships.matching import Need, Offer, batch_match, rank

LANGUAGES = ["de", "tr", "ar", "uk", "ru", "pl", "ro", "bg", "fa", "ku", "sq", "en"]
DISTRICTS = ["alstaden-lirich", "mitte-styrum", "ost", "osterfeld", "sterkrade-mitte", "sterkrade-nord"]
AGES = ["pregnancy", "0-1", "1-3", "3-6", "6-10", "10+"]
TOPICS = ["pregnancy", "sleep", "feeding", "crying", "kita", "school-start", "money", "language"]
MODES = ["in-person", "phone", "video"]


def sample(rng: random.Random, values: list[str], low: int, high: int) -> frozenset[str]:
    return frozenset(rng.sample(values, rng.randint(low, high)))


def main() -> None:
    rng = random.Random(42)
    offers = [
        Offer(
            mentor_id=n,
            languages=frozenset({"de"}) | sample(rng, LANGUAGES, 0, 2),
            districts=sample(rng, DISTRICTS, 1, 3),
            age_groups=sample(rng, AGES, 1, 3),
            topics=sample(rng, TOPICS, 1, 4),
            contact_modes=sample(rng, MODES, 1, 3),
            free_places=rng.randint(1, 3),
        )
        for n in range(400)
    ]
    needs = {
        n: Need(
            languages=sample(rng, LANGUAGES, 1, 2),
            district=rng.choice(DISTRICTS),
            age_group=rng.choice(AGES),
            topics=sample(rng, TOPICS, 0, 3),
            contact_mode=rng.choice(MODES),
        )
        for n in range(1000)
    }
    start = time.perf_counter()
    for need in needs.values():
        rank(need, offers)
    suggestions = time.perf_counter() - start
    start = time.perf_counter()
    result = batch_match(needs, offers)
    batch = time.perf_counter() - start
    seats = sum(o.free_places for o in offers)
    print(
        f"suggestions: 1000 families x 400 mentors in {suggestions:.2f} s ({suggestions:.2f} ms per family)"
    )
    print(
        f"batch match: 1000 families, {seats} free places -> {len(result)} matched, total score "
        f"{sum(f.score for f in result.values())}, in {batch:.2f} s"
    )


if __name__ == "__main__":
    main()
