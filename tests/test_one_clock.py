"""One notion of the calendar day: only mentoring/clock.py turns an instant into a date.

Ruff bans date.today(), naive datetime.now() and datetime.utcnow() (DTZ, TID251 in pyproject.toml),
but it cannot tell an instant from a date, so `utcnow().date()` -- UTC's day, wrong for the first
hour or two after midnight in Oberhausen -- would slip through. This test walks the product code.
"""

from pathlib import Path

from tests.factories import zero_argument_date_calls

PRODUCT = Path(__file__).resolve().parent.parent / "mentoring"

def test_no_product_code_outside_the_clock_takes_the_date_of_an_instant():
    found = {
        f"{path.relative_to(PRODUCT.parent).as_posix()}: {line}"
        for path in sorted(PRODUCT.rglob("*.py"))
        if path != PRODUCT / "clock.py"
        for line in zero_argument_date_calls(path)
    }
    assert found == set(), "use mentoring.clock.local_date(instant) or clock.today(now)"


def test_the_walk_finds_the_date_of_an_instant_however_it_is_written(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "day = utcnow().date()\n"
        "later = (utcnow()\n    + delta).date()\n"
        "fine = clock.local_date(utcnow())\n"
        "parsed = date.fromisoformat('2026-12-03')\n"
        "a_method_of_our_own = report.date(first)\n"
    )
    assert zero_argument_date_calls(source) == ["day = utcnow().date()", "+ delta).date()"]
