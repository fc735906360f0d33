"""How much detail survives the survey's anonymity rules at city scale.

One quarter of a city the size of Oberhausen: 3,000 survey invitations (6 districts, 12 languages
skewed towards German and Turkish, 6 age groups, 2 services), 40 % answer, spread over 90 days. Each
answer is pooled with a context that at least 5 open invitations share (links live 30 days), and
the daily job releases the pool in batches of at least 5 with the same rule as the app
(`mentoring.surveys.kanon.place`). Pure functions, no database: the figures are the rules.
Run: .venv/bin/python bench/survey_generalisation.py [invitations] [answer share] [batch size]
"""

import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mentoring.surveys.kanon import ALL, DEFAULT_STEPS, Context, generalise, is_k_anonymous, place

LANGUAGES = ["de"] * 10 + ["tr"] * 5 + ["ar"] * 3 + ["uk"] * 2 + ["ru", "pl", "ro", "bg", "fa", "ku", "sq", "en"]
DISTRICTS = ["alstaden-lirich", "mitte-styrum", "ost", "osterfeld", "sterkrade-mitte", "sterkrade-nord"]
AGES = ["pregnancy", "0-1", "1-3", "3-6", "6-10", "10+"]
K = 5


def pooled(context: Context, open_contexts: Counter[Context]) -> Context:
    """The app's pooled_context, over the contexts of the invitations open at that moment."""
    for level in range(len(DEFAULT_STEPS) + 1):
        candidate = generalise(context, DEFAULT_STEPS, level)
        shared = sum(
            n
            for other, n in open_contexts.items()
            if all(c in (ALL, o) for c, o in zip(candidate, other, strict=True))
        )
        if shared >= K:
            return candidate
    return generalise(context, DEFAULT_STEPS, len(DEFAULT_STEPS))


def main() -> None:
    invitations = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    share = float(sys.argv[2]) if len(sys.argv) > 2 else 0.4
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    rng = random.Random(16)
    sent = []
    for _ in range(invitations):
        context: Context = (
            rng.choice(["consultation"] * 3 + ["mentoring"]),
            rng.choice(LANGUAGES),
            rng.choice(DISTRICTS),
            rng.choice(AGES),
        )
        day = rng.randrange(90)
        answer_day = day + rng.randrange(14) if rng.random() < share else None
        sent.append((day, context, answer_day))
    stored: Counter[Context] = Counter()
    pool: list[Context] = []
    kept = Counter()
    for day in range(120):
        open_contexts = Counter(c for d, c, _a in sent if d <= day < d + 30)
        pool += [pooled(c, open_contexts) for d, c, a in sent if a == day and day < 90]
        if len(pool) >= batch or (day >= 90 and pool):
            placed = place(pool, stored, K, DEFAULT_STEPS)
            released = [c for c in placed if c is not None]
            if len(released) >= batch or day >= 90:
                stored.update(released)
                pool = [c for c, p in zip(pool, placed, strict=True) if p is None]
    total = sum(stored.values())
    for index, name in enumerate(("service", "language", "district", "age group")):
        kept[name] = sum(n for c, n in stored.items() if c[index] != ALL)
    assert is_k_anonymous(stored.elements(), K)
    print(f"batch size {batch}: {invitations} invitations, {total} answers released, {len(pool)} left in the pool")
    print(f"stored combinations: {len(stored)}, smallest group: {min(stored.values())}")
    for name, n in kept.items():
        print(f"  keep their {name:<9} {100 * n / total:5.1f} %")


if __name__ == "__main__":
    main()
