"""How long an extended certificate of conduct (§72a SGB VIII) counts: five years from its issue."""

from datetime import date

CERTIFICATE_VALID_YEARS = 5


def certificate_expires_on(seen_on: date) -> date:
    try:
        return seen_on.replace(year=seen_on.year + CERTIFICATE_VALID_YEARS)
    except ValueError:  # 29 February
        return seen_on.replace(year=seen_on.year + CERTIFICATE_VALID_YEARS, day=28)
