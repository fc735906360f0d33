"""k-anonymous contexts: generalise answers' context until every stored combination is shared.

Pure functions over plain dicts, so the release job and the data migration use the same rule.
A context is {"service", "locale", "district", "age_group"}; a generalisation step replaces one
field with ALL ("all districts"). Steps are applied in a fixed order (configurable), each on top
of the ones before, so a context's level says how much it was merged.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

ALL = "*"
FIELDS = ("service", "locale", "district", "age_group")
DEFAULT_STEPS = ("age_group", "district", "locale", "service")

Context = tuple[str | None, ...]  # in the order of FIELDS


def generalise(context: Context, steps: Sequence[str], level: int) -> Context:
    """The context with the first `level` steps applied."""
    merged = set(steps[:level])
    return tuple(ALL if name in merged else value for name, value in zip(FIELDS, context, strict=True))


def level_of(context: Context, steps: Sequence[str]) -> int:
    """How many steps a context has had (the longest prefix of steps already merged)."""
    level = 0
    for name in steps:
        if context[FIELDS.index(name)] != ALL:
            break
        level += 1
    return level


def place(
    contexts: Sequence[Context], existing: Counter[Context], k: int, steps: Sequence[str]
) -> list[Context | None]:
    """The stored context of each new answer, or None for those that must wait.

    `existing` counts the combinations already stored (each at least k). An answer keeps the most
    detail under which it joins a stored combination or a group of at least k new ones; answers
    left at the top are topped up with rows taken from groups that can spare them, and wait if
    there are still fewer than k.
    """
    k = max(k, 5)
    placed: list[Context | None] = [None] * len(contexts)
    open_rows = list(range(len(contexts)))
    for level in range(len(steps) + 1):
        groups: dict[Context, list[int]] = defaultdict(list)
        for index in open_rows:
            groups[generalise(contexts[index], steps, max(level, level_of(contexts[index], steps)))].append(
                index
            )
        open_rows = []
        for combination, members in groups.items():
            if existing[combination] or len(members) >= k or level == len(steps):
                for index in members:
                    placed[index] = combination
            else:
                open_rows.extend(members)
    top_up(placed, contexts, existing, k, steps)
    return placed


def top_up(
    placed: list[Context | None],
    contexts: Sequence[Context],
    existing: Counter[Context],
    k: int,
    steps: Sequence[str],
) -> None:
    """Every new combination needs k members: small ones are merged up, taking spare rows along."""
    while True:
        counts = Counter(c for c in placed if c is not None)
        small = [c for c, n in counts.items() if n < k and not existing[c]]
        if not small:
            return
        combination = min(small, key=lambda c: (counts[c], c))
        top = tuple(ALL for _ in FIELDS)
        members = [i for i, c in enumerate(placed) if c == combination]
        if combination == top:
            donors = sorted(
                (c for c in counts if c != top and (existing[c] or counts[c] > k)),
                key=lambda c: -counts[c],
            )
            needed = k - counts[top]
            for donor in donors:
                spare = counts[donor] if existing[donor] else counts[donor] - k
                for index in [i for i, c in enumerate(placed) if c == donor][: min(spare, needed)]:
                    placed[index] = top
                    needed -= 1
                if needed <= 0:
                    break
            for whole in sorted((c for c in counts if c != top and not existing[c]), key=lambda c: counts[c]):
                if needed <= 0:
                    break
                for index in [i for i, c in enumerate(placed) if c == whole]:
                    placed[index] = top
                    needed -= 1
            if needed > 0:  # still too few: these answers wait for the next batch
                for index in members:
                    placed[index] = None
                return
            continue
        # Merge the small group one step further up (into a bigger or stored group if one is there).
        for index in members:
            level = level_of(placed[index] or contexts[index], steps) + 1
            placed[index] = generalise(contexts[index], steps, min(level, len(steps)))


def is_k_anonymous(contexts: Iterable[Context], k: int) -> bool:
    return all(n >= k for n in Counter(contexts).values())
